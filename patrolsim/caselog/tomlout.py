"""Write a scenario.toml document as text a person can read, with comments on chosen keys.

``tomli_w`` writes valid TOML but no comments and one array element per line; a calibrated
scenario must say beside every fitted value where it came from, so the few scenario tables are
written here: top-level tables as ``[name]``, arrays of tables as ``[[name]]``, violation types,
patch kinds, ``dynamics`` and ``weights`` as sub-tables, everything else inline.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import re
from collections.abc import Mapping
from typing import Any

_BARE = re.compile(r"^[A-Za-z0-9_-]+$")
_SUBTABLE_PARENTS = ("violation_types", "patch_kinds")
_SUBTABLE_KEYS = ("dynamics", "weights")


def _key(k: str) -> str:
    return k if _BARE.match(k) else json.dumps(k, ensure_ascii=False)


def value_text(v: Any) -> str:
    """One TOML value (inline)."""
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        if not math.isfinite(v):
            raise ValueError(f"Expected a finite number, got {v}.")
        return repr(round(v, 6)) if abs(v) >= 1e-4 or v == 0 else f"{v:.6g}"
    if isinstance(v, str):
        return json.dumps(v, ensure_ascii=False)
    if isinstance(v, dt.datetime | dt.date):
        return v.isoformat()
    if isinstance(v, list | tuple):
        return "[" + ", ".join(value_text(x) for x in v) + "]"
    if isinstance(v, Mapping):
        if not v:
            return "{}"
        return "{ " + ", ".join(f"{_key(k)} = {value_text(x)}" for k, x in v.items()) + " }"
    raise TypeError(f"Expected a TOML value, got {type(v).__name__}.")


def _is_table(path: tuple[str, ...], value: Any) -> bool:
    if not isinstance(value, Mapping):
        return False
    return len(path) == 1 or path[-2] in _SUBTABLE_PARENTS or path[-1] in _SUBTABLE_KEYS


def toml_text(
    doc: Mapping[str, Any], comments: Mapping[str, str] | None = None, header: str = ""
) -> str:
    """TOML text of ``doc``; ``comments`` maps dotted key paths to an end-of-line comment."""
    comments = comments or {}
    out: list[str] = [header.rstrip() + "\n"] if header else []

    def line(path: tuple[str, ...], value: Any) -> str:
        text = f"{_key(path[-1])} = {value_text(value)}"
        note = comments.get(".".join(path))
        return f"{text}  # {note}" if note else text

    def emit(table: Mapping[str, Any], path: tuple[str, ...]) -> None:
        for k, v in table.items():
            p = (*path, k)
            if _is_table(p, v) or (
                len(p) == 1 and isinstance(v, list) and v and all(isinstance(x, Mapping) for x in v)
            ):
                continue
            out.append(line(p, v))
        for k, v in table.items():
            p = (*path, k)
            if _is_table(p, v):
                out.append("")
                note = comments.get(".".join(p))
                out.append(f"[{'.'.join(_key(x) for x in p)}]" + (f"  # {note}" if note else ""))
                emit(v, p)
            elif (
                len(p) == 1 and isinstance(v, list) and v and all(isinstance(x, Mapping) for x in v)
            ):
                for item in v:
                    out.append("")
                    out.append(f"[[{_key(k)}]]")
                    emit(item, p)

    emit(doc, ())
    return "\n".join(out).strip("\n") + "\n"
