"""Nagle's algorithm off on the server's sockets, which Streamlit's server leaves on.

Streamlit's server (Starlette on uvicorn) binds its listening socket itself, with
``socket.socket(family)``: protocol number 0. asyncio sets ``TCP_NODELAY`` on a new connection
only when the socket says ``proto == IPPROTO_TCP``, and an accepted socket inherits the 0 of its
listener. So Nagle's algorithm stays on: when the server writes a response in two pieces
(headers, then the body) or two websocket messages in a row, the second piece waits until the
browser acknowledges the first, and the browser delays that acknowledgement by up to 40 ms.
Every request after the first on a keep-alive connection pays it, and a new visitor fetches
about 130 JavaScript files over 6 connections. (uvicorn's issue #3149 describes the same
mechanism for its own pre-bound sockets.)

``enable_tcp_nodelay`` sets ``TCP_NODELAY`` on the process's listening TCP sockets, which on
Linux the connections they accept afterwards inherit, and on the connections already accepted
from them. ``ui.layout`` calls it once per process, at the first script run; the files of the
very first page view of a fresh server were served before that. It changes when bytes are
sent, never what is sent. Where the process's file descriptors cannot be listed (no
``/proc/self/fd`` or ``/dev/fd``, as on Windows) it does nothing.

Once Streamlit creates its socket with ``IPPROTO_TCP``, asyncio sets the option itself, this
function changes nothing (it returns 0), and the module can go.

Measured with ``python benchmarks/bench_browser.py``: see the README's speed section.
"""

from __future__ import annotations

import contextlib
import os
import socket
from collections.abc import Iterator

_FD_DIRS = ("/proc/self/fd", "/dev/fd")
_INET = (socket.AF_INET, socket.AF_INET6)


def _tcp_sockets() -> Iterator[socket.socket]:
    """Each TCP socket of this process, as a socket object on a duplicate of its descriptor
    (closing it leaves the original open). Closed after the consumer's next step."""
    for folder in _FD_DIRS:
        try:
            names = os.listdir(folder)
        except OSError:
            continue
        for name in names:
            try:
                fd = os.dup(int(name))
            except (OSError, ValueError):  # closed since it was listed
                continue
            try:
                sock = socket.socket(fileno=fd)
            except OSError:  # not a socket: the duplicate is not owned by anything yet
                os.close(fd)
                continue
            with sock:
                if sock.family in _INET and sock.type == socket.SOCK_STREAM:
                    yield sock
        return


def enable_tcp_nodelay() -> int:
    """Set TCP_NODELAY on every listening TCP socket of this process and on the connections it
    accepted; the number of sockets changed (0 on a second call)."""
    listeners: set[int] = set()  # their ports
    changed = 0
    for sock in _tcp_sockets():
        with contextlib.suppress(OSError):
            if sock.getsockopt(socket.SOL_SOCKET, socket.SO_ACCEPTCONN):
                listeners.add(sock.getsockname()[1])
                changed += _nodelay(sock)
    if listeners:  # a second pass for the accepted ones: their listener may come later in the list
        for sock in _tcp_sockets():
            with contextlib.suppress(OSError):
                if not sock.getsockopt(socket.SOL_SOCKET, socket.SO_ACCEPTCONN) and sock.getsockname()[1] in listeners:
                    changed += _nodelay(sock)
    return changed


def _nodelay(sock: socket.socket) -> int:
    if sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY):
        return 0
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return 1
