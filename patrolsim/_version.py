"""The package version (one place, read by the CLI and written into run manifests)."""

from __future__ import annotations

__version__ = "0.1.0"
