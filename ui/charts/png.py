"""A matrix as an 8-bit palette PNG: block-averaged down to the pixels a plot shows, colour-mapped in numpy.

One rect per cell freezes the browser at 512 tokens x 8 heads (2 million rects); a palette PNG of
a 512 x 512 map in a 170 px plot is 128 x 128 px, ~20 kB.
"""

from __future__ import annotations

import math
import struct
import zlib

import numpy as np

from ui.charts._common import _check_domain, _check_values
from ui.charts.colors import _MASKED_INDEX, MASKED_COLOR, _color_indices, palette
from ui.charts.sizing import MAX_IMAGE_SIDE


def _png_chunk(tag: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + tag + data + struct.pack(">I", zlib.crc32(tag + data) & 0xFFFFFFFF)


def encode_palette_png(indices: np.ndarray, colors: np.ndarray) -> bytes:
    """indices uint8 (H, W), colors uint8 (P, 3) with P <= 256 -> PNG bytes (8-bit palette, colour type 3)."""
    H, W = indices.shape
    raw = np.zeros((H, W + 1), dtype=np.uint8)  # each scanline: filter byte 0 (None), then W indices
    raw[:, 1:] = indices
    return b"".join(
        (
            b"\x89PNG\r\n\x1a\n",
            _png_chunk(b"IHDR", struct.pack(">IIBBBBB", W, H, 8, 3, 0, 0, 0)),
            _png_chunk(b"PLTE", np.ascontiguousarray(colors, dtype=np.uint8).tobytes()),
            _png_chunk(b"IDAT", zlib.compress(raw.tobytes(), 6)),  # level 9: far slower, barely smaller
            _png_chunk(b"IEND", b""),
        )
    )


def _block_sum(x: np.ndarray, kr: int, kc: int) -> np.ndarray:
    """x (Rb*kr, Cb*kc) -> (Rb, Cb) sums of kr x kc blocks (strided slices: far faster than a reshape-sum)."""
    cols = sum(x[:, j::kc] for j in range(1, kc)) + x[:, 0::kc]  # (Rb*kr, Cb)
    return sum(cols[i::kr] for i in range(1, kr)) + cols[0::kr]  # (Rb, Cb)


def _block_mean(values: np.ndarray, masked: np.ndarray, kr: int, kc: int) -> tuple[np.ndarray, np.ndarray]:
    """values, masked (R, C) -> mean of the unmasked cells of each kr x kc block (ceil(R/kr), ceil(C/kc)), and
    which blocks are all masked. Edge blocks may be smaller."""
    finite = np.where(masked, 0.0, values)
    if kr == 1 and kc == 1:
        return finite, masked
    R, C = values.shape
    Rb, Cb = math.ceil(R / kr), math.ceil(C / kc)
    padded = np.zeros((Rb * kr, Cb * kc))
    padded[:R, :C] = finite
    kept = np.zeros((Rb * kr, Cb * kc))
    kept[:R, :C] = 1.0
    kept[:R, :C][masked] = 0.0
    sums = _block_sum(padded, kr, kc)  # (Rb, Cb)
    counts = _block_sum(kept, kr, kc)  # unmasked cells per block, padding excluded
    means = np.divide(sums, counts, out=np.zeros_like(sums), where=counts > 0)
    return means, counts == 0


def matrix_png(
    values: np.ndarray,
    *,
    domain: tuple[float, float],
    scheme: str = "viridis",
    max_side: tuple[int, int] = (MAX_IMAGE_SIDE, MAX_IMAGE_SIDE),
) -> bytes:
    """values (R, C), -inf = masked -> palette PNG, block-averaged to at most max_side (rows, columns) px.

    Palette index i < 255 is the scheme at t = i / 254 over ``domain`` (clamped); 255 is MASKED_COLOR.
    """
    arr, masked = _check_values(values)
    domain = _check_domain(domain)
    R, C = arr.shape
    kr, kc = math.ceil(R / max(1, int(max_side[0]))), math.ceil(C / max(1, int(max_side[1])))  # block sides
    means, all_masked = _block_mean(arr, masked, kr, kc)
    idx = _color_indices(means, domain)
    idx[all_masked] = _MASKED_INDEX
    grey = [int(MASKED_COLOR[i : i + 2], 16) for i in (1, 3, 5)]
    colors = np.vstack([palette(scheme), np.array([grey], dtype=np.uint8)])  # (256, 3)
    return encode_palette_png(idx, colors)
