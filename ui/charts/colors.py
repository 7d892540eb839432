"""Colour scales: the schemes as Vega draws them, a palette for image mode, domains shared by charts."""

from __future__ import annotations

import types

import numpy as np

from ui.charts._common import ChartInputError, _check_domain

MASKED_COLOR: str = "#a3a3a3"  # -inf (masked) cells: a grey neither viridis nor blueorange contains
_PALETTE_SIZE = 255  # colour entries of the PNG palette; index 255 is the masked grey
_MASKED_INDEX = 255

# Vega's scheme anchors (vega-scale schemes.js, as bundled with Streamlit's Vega), which Vega
# interpolates piecewise-linearly in RGB. The LUT below does the same, so image mode matches
# the rect-mode colours and the legend.
_SCHEME_ANCHORS = types.MappingProxyType(
    {
        "viridis": (
            "440154470e61481a6c482575472f7d443a834144873d4e8a39568c35608d31688e2d708e2a788e27818e"
            "23888e21918d1f988b1fa08822a8842ab07f35b77943bf7154c56866cc5d7ad1518fd744a5db36bcdf27"
            "d2e21be9e51afde725"
        ),
        "blueorange": "134b852f78b35da2cb9dcae1d2e5eff2f0ebfce0bafbbf74e8932fc5690d994a07",
    }
)
SCHEMES: tuple[str, ...] = tuple(_SCHEME_ANCHORS)


def _check_scheme(scheme: str) -> str:
    if scheme not in _SCHEME_ANCHORS:
        raise ChartInputError(f"scheme must be one of {list(SCHEMES)}, but is {scheme!r}")
    return scheme


def symmetric_domain(*arrays) -> tuple[float, float]:
    """(-m, m) with m = max |finite value| over all arrays (m = 1.0 if all zero/empty), for a shared diverging scale."""
    m = 0.0
    for a in arrays:
        arr = np.asarray(a, dtype=np.float64)
        finite = arr[np.isfinite(arr)]
        if finite.size:
            m = max(m, float(np.abs(finite).max()))
    if m == 0.0:
        m = 1.0
    return (-m, m)


def nonnegative_domain(*arrays) -> tuple[float, float]:
    """(0, m) with m = max finite value over all arrays (m = 1.0 if none is positive), for viridis on values >= 0."""
    m = 0.0
    for a in arrays:
        arr = np.asarray(a, dtype=np.float64)
        finite = arr[np.isfinite(arr)]
        if finite.size:
            m = max(m, float(finite.max()))
    return (0.0, m if m > 0.0 else 1.0)


def palette(scheme: str, n: int = _PALETTE_SIZE) -> np.ndarray:
    """uint8 (n, 3): ``scheme`` sampled at t = 0, 1/(n-1), ..., 1, as Vega interpolates it."""
    hex_anchors = _SCHEME_ANCHORS[_check_scheme(scheme)]
    anchors = np.array(
        [[int(hex_anchors[i + k : i + k + 2], 16) for k in (0, 2, 4)] for i in range(0, len(hex_anchors), 6)],
        dtype=np.float64,
    )  # (A, 3)
    at = np.linspace(0.0, 1.0, len(anchors))
    t = np.linspace(0.0, 1.0, n)
    rgb = np.stack([np.interp(t, at, anchors[:, ch]) for ch in range(3)], axis=1)  # (n, 3)
    return np.floor(rgb + 0.5).astype(np.uint8)  # d3 rounds with Math.round


def _color_indices(values: np.ndarray, domain: tuple[float, float]) -> np.ndarray:
    """values (R, C) finite -> palette indices (R, C) in [0, _PALETTE_SIZE - 1], clamped to the domain."""
    lo, hi = domain
    t = np.clip((values - lo) / (hi - lo), 0.0, 1.0)
    return np.floor(t * (_PALETTE_SIZE - 1) + 0.5).astype(np.uint8)


def hex_colors(values, domain: tuple[float, float], scheme: str) -> list[str]:
    """Each finite value's colour on the scale, as "#rrggbb" (the palette of image mode: within 1/254 of
    the range of Vega's own colour)."""
    colors = palette(scheme)[_color_indices(np.asarray(values, dtype=np.float64), _check_domain(domain))]
    return ["#" + bytes(rgb).hex() for rgb in colors.reshape(-1, 3)]


def _dark_background(indices: np.ndarray, scheme: str) -> np.ndarray:
    """bool per palette index: white text reads better than black on that colour (WCAG contrast)."""
    srgb = palette(scheme).astype(np.float64) / 255.0
    linear = np.where(srgb <= 0.04045, srgb / 12.92, ((srgb + 0.055) / 1.055) ** 2.4)
    luminance = linear @ np.array([0.2126, 0.7152, 0.0722])
    # contrast with white (1.05 / (L + 0.05)) beats contrast with black ((L + 0.05) / 0.05)
    return (luminance < 0.179)[indices]


# ---------------------------------------------------------------------------------------
# input checks
