"""Model validity: seven checks of the simulator against the criminology anchors.

Each check drives the real simulator (:func:`patrolsim.sim.engine.simulate`) with a
purpose-built scenario (:mod:`patrolsim.validation.build`) and returns a frozen
:class:`~patrolsim.validation.result.CheckResult` with its anchor, the model's figure, the
pass/fail criteria and the table its figure plots:

1. :func:`~patrolsim.validation.koper.koper_curve` — Koper 1995
2. :func:`~patrolsim.validation.campaigns.crackdown` — Sherman 1990
3. :func:`~patrolsim.validation.campaigns.tipping` — Kleiman 2009
4. :func:`~patrolsim.validation.hotspots.presence_dose` — Sherman & Weisburd 1995, Braga et al.
5. :func:`~patrolsim.validation.hotspots.displacement` — Weisburd et al. 2006, Guerette & Bowers
6. :func:`~patrolsim.validation.disorder.broken_windows` — Keizer et al. 2008
7. :func:`~patrolsim.validation.koper.erlang_queue` — Erlang C

:func:`~patrolsim.validation.suite.run_all` runs them all.
"""

from __future__ import annotations

from patrolsim.validation.result import CheckResult, Criterion

__all__ = ["CheckResult", "Criterion"]
