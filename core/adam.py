"""Adam (Kingma & Ba 2015), the optimiser both trainings use: core.train's block and core.translator's model."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

import numpy as np

from ._checks import AttentionInputError, positive_float


@dataclass(frozen=True, eq=False)
class AdamState:
    """step (steps taken), m and v (first and second moment estimates, by parameter name)."""

    step: int
    m: Mapping[str, np.ndarray]
    v: Mapping[str, np.ndarray]


def _adam(w, g, state, lr, beta1, beta2, eps):
    """One Adam step on the arrays ``w`` with gradients ``g`` (both by name); no checks."""
    t = 1 if state is None else state.step + 1
    new_w, new_m, new_v = {}, {}, {}
    for name, p in w.items():
        grad = g[name]
        m = (1.0 - beta1) * grad if state is None else beta1 * state.m[name] + (1.0 - beta1) * grad
        v = (1.0 - beta2) * grad * grad if state is None else beta2 * state.v[name] + (1.0 - beta2) * grad * grad
        m_hat = m / (1.0 - beta1**t)  # bias correction: m and v start at zero
        v_hat = v / (1.0 - beta2**t)
        new_w[name] = p - lr * m_hat / (np.sqrt(v_hat) + eps)
        new_m[name], new_v[name] = m, v
    return new_w, AdamState(step=t, m=MappingProxyType(new_m), v=MappingProxyType(new_v))


def adam_step(
    params: Mapping[str, np.ndarray],
    grads: Mapping[str, np.ndarray],
    state: AdamState | None = None,
    *,
    lr: float = 1e-2,
    betas: tuple[float, float] = (0.9, 0.999),
    eps: float = 1e-8,
) -> tuple[dict[str, np.ndarray], AdamState]:
    """One step of Adam (Kingma & Ba 2015, algorithm 1; ``torch.optim.Adam`` without weight decay).

    params, grads: arrays by name, the same names and shapes. ``state`` None = the first step
    (zero moments). Returns fresh parameters and the next state; nothing is modified in place.
        m = β1 m + (1 - β1) g;  v = β2 v + (1 - β2) g²;  p -= lr · (m / (1 - β1^t)) / (sqrt(v / (1 - β2^t)) + eps)
    """
    if not isinstance(params, Mapping) or not isinstance(grads, Mapping):
        raise AttentionInputError(
            f"params and grads must be mappings of name -> array, but are {type(params).__name__} "
            f"and {type(grads).__name__}"
        )
    if set(params) != set(grads):
        raise AttentionInputError(f"grads must have the names of params {sorted(params)}, but have {sorted(grads)}")
    if state is not None and not isinstance(state, AdamState):
        raise AttentionInputError(f"state must be an AdamState or None, but is {type(state).__name__}")
    if state is not None and (set(state.m) != set(params)):
        raise AttentionInputError(f"state was built for {sorted(state.m)}, but params are {sorted(params)}")
    lr = positive_float(lr, "lr")
    try:
        beta1, beta2 = (float(b) for b in betas)
    except (TypeError, ValueError):
        raise AttentionInputError(f"betas must be two numbers in [0, 1), but is {betas!r}") from None
    for name, b in (("betas[0]", beta1), ("betas[1]", beta2)):
        if not 0.0 <= b < 1.0:
            raise AttentionInputError(f"{name} must be in [0, 1), but is {b}")
    eps = positive_float(eps, "eps")
    w, g = {}, {}
    for name in params:
        w[name] = np.asarray(params[name], dtype=np.float64)
        g[name] = np.asarray(grads[name], dtype=np.float64)
        if g[name].shape != w[name].shape:
            raise AttentionInputError(
                f"the gradient of {name} has shape {g[name].shape}, but the parameter has {w[name].shape}"
            )
    return _adam(w, g, state, lr, beta1, beta2, eps)
