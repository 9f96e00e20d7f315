"""The deterrence maths of one (patch, violation type): pure functions, no SimPy, no randomness.

State of a patch × type (all in [0, 1] except ``latent``):

``risk`` R
    The would-be violators' current perceived risk of being caught. While a unit is present
    it rises towards the *presence target* along a logistic (S-shaped) curve with time
    constant ``presence_tau_min`` (:func:`presence_rise`): slowly at first, because violators
    need a while to notice and believe the unit is staying, then fast, then saturating —
    Koper 1995: little effect under ~2 min, most of it by 10–15 min. With no unit present it
    relaxes towards the anchor with ``residual_tau_h`` (residual deterrence: hours for
    vendors, weeks for construction; Koper 1995, Sherman 1990).
``anchor`` A
    The long-run belief learned from outcomes: a sanction pushes it up by ``learn_sanction``
    of the way to 1; a violation that ends unsanctioned pushes it down by
    ``learn_unsanctioned`` of the way to 0. With many violators and thin enforcement the
    downward pushes win (enforcement swamping, Kleiman 2009), giving two equilibria. It is
    forgotten towards ``prior_risk`` with ``anchor_tau_days``.
``credibility`` C
    How much a unit's presence means to violators. The presence target is
    ``A + max(0, presence_risk − A)·C``. Encounters that end without a sanction (the vendor flees or
    is only persuaded) lower C by ``learn_credibility`` of the way to 0; sanctions raise it by
    as much of the way to 1. A long crackdown that
    cannot sanction everyone therefore loses force while it continues (initial deterrence
    decay, Sherman 1990). C is forgotten towards 1 with ``anchor_tau_days``.
``latent`` L
    Opportunities suppressed by deterrence that still wait (vendors still need the income).
    They are lost with ``latent_tau_h`` and released, multiplying the rate by
    ``g = 1 + min(L / L_ref, G_MAX − 1)`` with ``L_ref`` = the patch's mean base rate ×
    ``latent_release_tau_h``; so on average they come back at ``L / latent_release_tau_h``
    when risk is at its prior — the rebound and overshoot after a campaign ("一停就乱").

The rate of new violations is ``λ = λ0 · f(R) · (h(B) + g(L) − 1)`` with
``f(R) = ((1 − R) / (1 − prior_risk)) ** risk_elasticity`` and broken windows
``h(B) = 1 + broken_windows_gain · (1 − exp(−B / s)) / (1 − exp(−1 / s))`` with
``s = broken_windows_scale``, where B is the number of unresolved violations visible at the
patch (Keizer et al. 2008). The normalisation makes ``h(1) = 1 + broken_windows_gain``: one
piece of visible disorder multiplies the rate by ``1 + gain`` (Keizer's 13 % → 27 % is a gain
of 1.08), more of it by up to ``1 + gain / (1 − exp(−1 / s))``. (Changed in the validity
work, issue 4: before, ``h(1)`` was only ``1 + 0.63 · gain``, so the documented gain of 1.08
gave a rise of 68 % rather than the doubling it claimed; validity check 6.)
"""

from __future__ import annotations

import math
from typing import TypeVar

import numpy as np
import numpy.typing as npt

from patrolsim.scenario.model import Dynamics

Value = TypeVar("Value", float, npt.NDArray[np.float64])
"""A number, or an array of them evaluated element-wise (the optimiser's per-type tables)."""

G_MAX = 2.0
"""Cap on the latent-demand multiplier g: a place cannot absorb more than about twice
its usual custom at once. Assumption."""


def risk_factor(risk: Value, prior_risk: Value, elasticity: Value) -> Value:
    """f(R) = ((1 − R) / (1 − R0))^k from the parameters themselves, element-wise on arrays.

    The one copy of the formula: the simulator's :func:`rate_factor` and the optimiser's
    value of a stop (:meth:`patrolsim.demand.values.TypeResponse.deterred_hours`) both use it.
    """
    return ((1.0 - risk) / (1.0 - prior_risk)) ** elasticity


def rate_factor(risk: float, dyn: Dynamics) -> float:
    """f(R): the deterrence factor on the base rate; 1 at the prior risk, < 1 above it."""
    return float(risk_factor(risk, dyn.prior_risk, dyn.risk_elasticity))


def residual_risk(risk: Value, anchor: Value, dt_min: Value, residual_tau_h: Value) -> Value:
    """R after ``dt_min`` minutes with no unit present: it relaxes from ``risk`` towards the
    anchor with time constant ``residual_tau_h`` hours (residual deterrence), element-wise on
    arrays.

    The one copy of the relaxation: :func:`advance` and the optimiser's value of a stop use it.
    """
    x = -dt_min / (residual_tau_h * 60.0)
    decay = np.exp(x) if isinstance(x, np.ndarray) else math.exp(x)
    return anchor + (risk - anchor) * decay


def broken_windows(visible: int, dyn: Dynamics) -> float:
    """h(B): the rate multiplier from ``visible`` unresolved violations at the patch."""
    if visible <= 0 or dyn.broken_windows_gain == 0.0:
        return 1.0
    scale = dyn.broken_windows_scale
    rise = -math.expm1(-visible / scale) / -math.expm1(-1.0 / scale)
    return 1.0 + dyn.broken_windows_gain * rise


def latent_multiplier(latent: float, latent_ref: float) -> float:
    """g(L): the rate multiplier from latent demand waiting to be released."""
    if latent <= 0.0:
        return 1.0
    return 1.0 + min(latent / latent_ref, G_MAX - 1.0)


def rate_bound(dyn: Dynamics) -> float:
    """An upper bound of f(R)·(h(B) + g(L) − 1) over all states, for thinning."""
    f_max = float((1.0 / (1.0 - dyn.prior_risk)) ** dyn.risk_elasticity)
    h_max = 1.0 + dyn.broken_windows_gain / (-math.expm1(-1.0 / dyn.broken_windows_scale))
    return max(1.0, f_max * (h_max + G_MAX - 1.0))


def presence_target(anchor: float, credibility: float, dyn: Dynamics) -> float:
    """The perceived risk a present unit drives R towards.

    Never below the anchor: where a place's learned norm already exceeds what a unit's
    presence signals, presence adds nothing (it does not make violators bolder). (Changed in
    the validity work, issue 4: before, a unit present at a place with ``anchor >
    presence_risk`` pulled its risk down to ``presence_risk``; found by validity check 3.)
    """
    return anchor + max(0.0, dyn.presence_risk - anchor) * credibility


PRESENCE_ONSET = 0.05
"""ε of the logistic rise: the share of the full presence effect at which the rise starts
from a place at its anchor. With ``presence_tau_min`` = 1.7 the rise reaches 10 % of the
effect at 2 min, 33 % at 4, 63 % at 6, 95 % at 10 and 99.7 % at 15 (Koper 1995). Assumption
for the shape; changed in the validity work (issue 4) from a plain exponential rise, which
gave 39 % of the effect at 2 min and made 3-minute kerb stops about as strong as half a
Koper stop."""


def presence_rise(u0: float, dt_min: float, tau_min: float) -> float:
    """Share of the presence effect reached after ``dt_min`` present, from share ``u0``.

    ``u`` follows the logistic ``du/dt = (u + ε)(1 − u) / (τ (1 + ε))`` (ε =
    :data:`PRESENCE_ONSET`), solved exactly, so splitting a stay into pieces gives the same
    result as one piece.
    """
    eps = PRESENCE_ONSET
    a = 1.0 + eps
    v0 = max(u0, 0.0) + eps
    v = a / (1.0 + (a - v0) / v0 * math.exp(-dt_min / tau_min))
    return v - eps


def advance(
    risk: float,
    anchor: float,
    credibility: float,
    latent: float,
    dt_min: float,
    present: bool,
    dyn: Dynamics,
) -> tuple[float, float, float, float]:
    """Advance (R, A, C, L) by ``dt_min`` minutes with or without a unit present.

    Between events every state variable relaxes exponentially — except R's rise while a unit
    is present, which is logistic (:func:`presence_rise`) — so this is exact for a constant
    presence; A and C move slowly (``anchor_tau_days``) and are taken at the end of the
    interval. Where R is above the presence target (after sanctions), a present unit does not
    pull it down: R relaxes towards the anchor as with no unit, but not below the target.
    """
    if dt_min <= 0.0:
        return risk, anchor, credibility, latent
    slow = math.exp(-dt_min / (dyn.anchor_tau_days * 1440.0))
    anchor = dyn.prior_risk + (anchor - dyn.prior_risk) * slow
    credibility = 1.0 + (credibility - 1.0) * slow
    if present:
        target = presence_target(anchor, credibility, dyn)
        if risk < target:
            low = min(risk, anchor)
            span = target - low
            risk = low + span * presence_rise((risk - low) / span, dt_min, dyn.presence_tau_min)
        else:
            # above what presence signals (after sanctions): relax as without a unit, but a
            # present unit holds R at its target (presence never lowers risk; issue 4)
            risk = max(target, residual_risk(risk, anchor, dt_min, dyn.residual_tau_h))
    else:
        risk = residual_risk(risk, anchor, dt_min, dyn.residual_tau_h)
    if latent > 0.0:
        latent *= math.exp(-dt_min / (dyn.latent_tau_h * 60.0))
    return risk, anchor, credibility, latent


def learn(
    risk: float, anchor: float, credibility: float, outcome: str, dyn: Dynamics
) -> tuple[float, float, float]:
    """Update (R, A, C) after an outcome at the patch.

    ``outcome`` is ``"sanctioned"`` (a unit with powers handled it), ``"unsanctioned"`` (it
    ended by itself, never caught) or ``"escaped"`` (an encounter without sanction: it fled,
    or was only persuaded).
    """
    if outcome == "sanctioned":
        up = dyn.learn_sanction
        c_up = dyn.learn_credibility
        credibility += c_up * (1 - credibility)
        return risk + up * (1 - risk), anchor + up * (1 - anchor), credibility
    if outcome == "unsanctioned":
        down = dyn.learn_unsanctioned
        return risk * (1 - down), anchor * (1 - down), credibility
    if outcome == "escaped":
        return risk, anchor, credibility * (1 - dyn.learn_credibility)
    raise ValueError(f"Expected outcome sanctioned, unsanctioned or escaped, got {outcome!r}.")
