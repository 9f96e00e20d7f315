"""Writing output files so that nothing is ever half-written and nothing lands outside ``--out``.

Every file patrolsim writes goes to a temporary file in the same folder first and is renamed
into place when complete (``os.replace`` is atomic on one file system). An interrupted run
leaves either the old file or the new one, never a truncated one.

A command that writes a run folder does so inside :func:`run_folder`: the files go to a
hidden staging folder beside ``--out`` and are moved into ``--out`` only when the run has
finished, so a run killed half-way leaves ``--out`` as the previous run left it. While a run
folder is open, :func:`atomic_path` refuses any path that does not resolve to a place inside
it (:func:`inside_root`), whatever the ids and unit names that reached the file name.

Text that a spreadsheet would take for a formula (OWASP "CSV injection": a cell starting with
``= + - @``, tab or CR) is guarded with a leading apostrophe by :func:`guard_cell`; the
readers of patrolsim take it off again (:func:`unguard_cell`), so values round-trip.
"""

from __future__ import annotations

import contextlib
import contextvars
import hashlib
import json
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import matplotlib.pyplot as plt
import pandas as pd

from patrolsim.errors import ScenarioError

if TYPE_CHECKING:
    from matplotlib.figure import Figure

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
"""First characters that make Excel or LibreOffice read a cell as a formula (OWASP)."""

_ROOT: contextvars.ContextVar[Path | None] = contextvars.ContextVar("output_root", default=None)


def guard_cell(text: str) -> str:
    """Return ``text`` so that a spreadsheet shows it as text, never runs it as a formula.

    A value starting with a formula character gets a leading ``'`` (OWASP's advice for CSV
    files). So that :func:`unguard_cell` can undo it exactly, a value that already starts with
    apostrophes followed by a formula character gets one more.
    """
    if text.lstrip("'").startswith(FORMULA_START):
        return "'" + text
    return text


def unguard_cell(text: str) -> str:
    """Undo :func:`guard_cell`: ``'=x`` reads back as ``=x``; other text is unchanged."""
    if text.startswith("'") and text.lstrip("'").startswith(FORMULA_START):
        return text[1:]
    return text


def guard_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` with :func:`guard_cell` applied to every text cell (and header)."""
    out = frame.copy()
    for column in out.columns:
        if not pd.api.types.is_numeric_dtype(out[column]):
            out[column] = out[column].map(lambda v: guard_cell(v) if isinstance(v, str) else v)
    out.columns = [guard_cell(c) if isinstance(c, str) else c for c in out.columns]
    return out


_NAME_SAFE_EXTRA = "-_+=@,"


def safe_name(text: str, max_bytes: int = 150) -> str:
    """Encode ``text`` as one file-name component that cannot leave its folder.

    Letters and digits of any script (Chinese too) and ``- _ + = @ ,`` are kept; every other
    character (path separators, dots, spaces, control characters, ``:*?"<>|``) becomes
    ``%XX`` per UTF-8 byte, as in a URL. The result is never empty, ``.`` or ``..``, and a
    name longer than ``max_bytes`` is cut (whole characters) and ends in a hash of the
    whole, so distinct texts keep distinct names.
    """
    parts = []
    for ch in text:
        if ch.isalnum() or ch in _NAME_SAFE_EXTRA:
            parts.append(ch)
        else:
            parts.append("".join(f"%{b:02X}" for b in ch.encode("utf-8")))
    name = "".join(parts) or "%00"
    if len(name.encode("utf-8")) > max_bytes:
        digest = hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:12]
        cut = name.encode("utf-8")[: max_bytes - 13].decode("utf-8", "ignore")
        name = f"{cut}~{digest}"
    return name


def inside_root(path: str | os.PathLike[str]) -> Path:
    """Return ``path`` resolved; refuse it if it lies outside the open run folder.

    Raises
    ------
    ScenarioError
        If :func:`run_folder` is open and ``path`` (symlinks and ``..`` resolved) is not
        inside it. Without an open run folder every path is allowed (library use).
    """
    target = Path(os.path.abspath(path))
    root = _ROOT.get()
    if root is None:
        return target
    resolved = target.parent.resolve() / target.name
    if resolved != root and root not in resolved.parents:
        raise ScenarioError(
            f"{target}:0: (path): refusing to write outside the output folder "
            f"{root} (got {resolved})"
        )
    return target


INCOMPLETE_MARKER = "INCOMPLETE_RUN.txt"
"""Written into ``--out`` while a finished run's files are being moved in; removed last."""


def check_out_folder(out: str | os.PathLike[str]) -> Path:
    """Check that ``out`` can become an output folder; return it as an absolute path.

    Called before any long work starts, so that a bad ``--out`` costs seconds, not a solve.

    Raises
    ------
    ScenarioError
        If ``out`` is a file, lies under a file, or its folder cannot be written.
    """
    final = Path(os.path.abspath(out))
    for folder in (final, *final.parents):
        if folder.exists() and not folder.is_dir():
            where = "is a file" if folder == final else f"lies under the file {folder}"
            raise ScenarioError(f"--out:0: out: must be a folder, but it {where} (got {final})")
        if folder.exists():
            break
    return final


@contextlib.contextmanager
def run_folder(
    out: str | os.PathLike[str], keep_on: tuple[type[BaseException], ...] = ()
) -> Iterator[Path]:
    """Yield a staging folder for a run's files; move them into ``out`` when the run ends well.

    The staging folder is a hidden sibling of ``out`` (``.OUT.partial-`` and a random suffix),
    made at once: an unwritable ``--out`` is reported before any work starts. Inside the block
    :func:`atomic_path` refuses paths outside the staging folder. When the block ends normally
    (or with one of ``keep_on``, e.g. an infeasible roster whose explanation is worth keeping),
    each top-level file or folder of the run replaces its namesake in ``out``: folders such as
    ``sheets/`` are replaced whole, so stale sheets never pile up. Other files already in
    ``out`` stay. While the moves run, ``out/INCOMPLETE_RUN.txt`` marks the folder; it is
    removed last. On any other exit (an error, Ctrl-C, SIGTERM via the CLI's handler) the
    staging folder is deleted and ``out`` is untouched.

    Raises
    ------
    ScenarioError
        If ``out`` cannot be used (see :func:`check_out_folder`) or its folder is read-only.
    """
    final = check_out_folder(out)
    if final.exists():
        final = final.resolve()  # a linked --out: stage beside the real folder (one file system)
    if final.is_dir() and not os.access(final, os.W_OK | os.X_OK):
        raise ScenarioError(f"--out:0: out: the folder is not writable (got {final})")
    try:
        final.parent.mkdir(parents=True, exist_ok=True)
        stage = Path(tempfile.mkdtemp(prefix=f".{final.name}.partial-", dir=final.parent))
    except OSError as exc:
        raise ScenarioError(
            f"--out:0: out: cannot write in {final.parent}: {exc.strerror or exc} (got {final})"
        ) from None
    token = _ROOT.set(stage.resolve())
    moved = False
    try:
        try:
            yield stage
        except keep_on:
            _ROOT.reset(token)
            moved = True
            _move_in(stage, final)
            raise
        _ROOT.reset(token)
        moved = True
        _move_in(stage, final)
    finally:
        if not moved:
            _ROOT.reset(token)
        shutil.rmtree(stage, ignore_errors=True)


def _move_in(stage: Path, final: Path) -> None:
    """Move every entry of ``stage`` into ``final``, replacing namesakes (folders whole)."""
    final.mkdir(parents=True, exist_ok=True)
    marker = final / INCOMPLETE_MARKER
    marker.write_text(
        "patrolsim was moving a finished run into this folder and was stopped: "
        "files here may come from two different runs. Run the command again.\n",
        encoding="utf-8",
    )
    for entry in sorted(stage.iterdir()):
        dest = final / entry.name
        if dest.is_dir() and not dest.is_symlink():
            old = Path(tempfile.mkdtemp(prefix=f".{dest.name}.old-", dir=final))
            os.replace(dest, old / dest.name)
            os.replace(entry, dest)
            shutil.rmtree(old, ignore_errors=True)
        else:
            if entry.is_dir() and (dest.exists() or dest.is_symlink()):
                dest.unlink()
            os.replace(entry, dest)
    marker.unlink()


@contextlib.contextmanager
def atomic_path(path: str | os.PathLike[str]) -> Iterator[Path]:
    """Yield a temporary path beside ``path``; rename it to ``path`` if the block succeeds.

    Use it for writers that want a file name (``savefig``, ``Workbook.save``,
    ``DataFrame.to_csv``). The temporary file keeps ``path``'s suffix so that writers that
    look at the suffix choose the right format.
    """
    target = inside_root(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    inside_root(target)  # again: a folder just made may be a symlink that points elsewhere
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=target.suffix, dir=target.parent)
    os.close(fd)
    tmp_path = Path(tmp)
    try:
        yield tmp_path
        # mkstemp makes the file private (0600); give it the permissions a plain open() would.
        os.chmod(tmp_path, 0o666 & ~_umask())
        os.replace(tmp_path, target)
    finally:
        if tmp_path.exists():
            tmp_path.unlink()


def _umask() -> int:
    """The process's file-creation mask (reading it means setting it, so set it back)."""
    mask = os.umask(0)
    os.umask(mask)
    return mask


def write_text(path: str | os.PathLike[str], text: str, encoding: str = "utf-8") -> Path:
    """Write ``text`` to ``path`` atomically and return the path."""
    with atomic_path(path) as tmp:
        # backslashreplace: a path from a non-UTF-8 folder name (surrogate escapes) is shown,
        # not a crash after the work is done.
        tmp.write_text(text, encoding=encoding, errors="backslashreplace")
    return Path(path)


def write_bytes(path: str | os.PathLike[str], data: bytes) -> Path:
    """Write ``data`` to ``path`` atomically and return the path."""
    with atomic_path(path) as tmp:
        tmp.write_bytes(data)
    return Path(path)


def write_figure(
    path: str | os.PathLike[str], fig: Figure, dpi: int = 110, tight: bool = False
) -> Path:
    """Save a matplotlib figure (format from the suffix) atomically, close it, return the path.

    ``tight`` crops the white margin (``bbox_inches="tight"``).
    """

    with atomic_path(path) as tmp:
        fig.savefig(tmp, dpi=dpi, bbox_inches="tight" if tight else None)
    plt.close(fig)
    return Path(path)


def write_json(path: str | os.PathLike[str], obj: Any) -> Path:
    """Write ``obj`` as indented UTF-8 JSON to ``path`` atomically and return the path."""
    return write_text(path, json.dumps(obj, indent=2, ensure_ascii=False, default=str) + "\n")
