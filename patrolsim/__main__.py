"""``python -m patrolsim`` runs the command-line interface."""

from __future__ import annotations

from patrolsim.cli import main

raise SystemExit(main())
