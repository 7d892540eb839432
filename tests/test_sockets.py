"""ui.sockets: TCP_NODELAY on this process's listening sockets and the connections they accepted."""

from __future__ import annotations

import socket
import sys

import pytest

from ui.sockets import enable_tcp_nodelay

pytestmark = pytest.mark.skipif(sys.platform != "linux", reason="inheritance of TCP_NODELAY is Linux's behaviour")


def nodelay(sock: socket.socket) -> bool:
    return bool(sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY))


@pytest.fixture
def server():
    """A listener bound the way Streamlit binds its own (protocol number 0), a client, and the
    connection it accepted."""
    listener = socket.socket(socket.AF_INET)
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    client = socket.create_connection(listener.getsockname())
    conn, _ = listener.accept()
    try:
        yield listener, client, conn
    finally:
        for s in (conn, client, listener):
            s.close()


def test_listener_and_accepted_connection_get_nodelay_and_the_client_is_left_alone(server):
    listener, client, conn = server
    client.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 0)
    assert not nodelay(listener) and not nodelay(conn)  # as Streamlit's server leaves them
    assert enable_tcp_nodelay() >= 2
    assert nodelay(listener) and nodelay(conn)
    assert not nodelay(client)  # its local port is not a listener's: not the server's socket


def test_connections_accepted_afterwards_inherit_it(server):
    listener, _, _ = server
    enable_tcp_nodelay()
    late_client = socket.create_connection(listener.getsockname())
    late, _ = listener.accept()
    with late_client, late:
        assert late.proto == 0 and nodelay(late)


def test_no_descriptor_is_left_open(server):
    import os

    with open(__file__, "rb"):  # a descriptor that is not a socket, next to the sockets
        before = sorted(os.listdir("/proc/self/fd"))
        for _ in range(20):
            enable_tcp_nodelay()
        assert sorted(os.listdir("/proc/self/fd")) == before


def test_a_second_call_changes_nothing_and_closes_nothing(server):
    listener, client, conn = server
    enable_tcp_nodelay()
    assert enable_tcp_nodelay() == 0
    client.sendall(b"ping")  # the originals still work: only duplicates were closed
    assert conn.recv(4) == b"ping"
    assert listener.fileno() >= 0
