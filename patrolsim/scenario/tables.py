"""Reading the CSV files people save from Excel, and collecting problems with their place.

Excel saves CSV as UTF-8 with a byte-order mark, Chinese Excel as GB18030/GBK, and "Unicode
text" as UTF-16; all three are read. Every problem is recorded as
``FILE:ROW: FIELD: what is wrong (got VALUE)``, where ROW is the line as Excel numbers it
(the header is row 1) and row 0 means the file as a whole.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

from patrolsim.errors import ScenarioError
from patrolsim.outputs import unguard_cell

T = TypeVar("T")

ID_FORBIDDEN = frozenset('/\\:*?"<>|')
"""Characters an id may not hold: ids become file names (``ics/<staff_id>.ics``), and these
separate or wildcard paths on Linux or Windows."""
ID_MAX_LEN = 64


def _shorten(value: object, limit: int = 60) -> str:
    text = str(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


@dataclass
class Problems:
    """Collects input problems so that all of them are reported at once."""

    lines: list[str] = field(default_factory=list)

    def add(self, file: str, row: int | str, field_: str, message: str, got: object = None) -> None:
        """Record one problem; ``got`` is the offending value, if there is one."""
        suffix = (
            ""
            if got is None
            else f" (got {_shorten(got)!r})"
            if isinstance(got, str)
            else (f" (got {_shorten(got)})")
        )
        if not field_.isprintable():
            field_ = repr(field_)  # a header cell with a line break must not split the line
        self.lines.append(f"{file}:{row}: {field_}: {message}{suffix}")

    def __bool__(self) -> bool:
        return bool(self.lines)

    def raise_if_any(self) -> None:
        """Raise :class:`ScenarioError` with every recorded problem, if there are any."""
        if self.lines:
            raise ScenarioError(self.lines)


def decode_bytes(data: bytes) -> str:
    """Decode a text file as Excel or a text editor would have saved it.

    Raises
    ------
    UnicodeError
        If the bytes are neither UTF-8 (with or without BOM), UTF-16 with BOM nor GB18030,
        or contain NUL bytes (a binary file such as an .xlsx renamed to .csv).
    """
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16")
    if b"\x00" in data:
        offset = data.index(b"\x00")
        raise UnicodeError(f"NUL byte at offset {offset}: a binary file, not text")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as utf8_error:
        try:
            return data.decode("gb18030")
        except UnicodeDecodeError:
            bad = data[utf8_error.start : utf8_error.start + 4]
            raise UnicodeError(
                f"neither UTF-8 nor GB18030 text: bytes {bad!r} at offset {utf8_error.start}"
            ) from None


@dataclass(frozen=True, slots=True)
class Row:
    """One data row of a CSV file: its Excel row number and its cells by column name."""

    line: int
    cells: Mapping[str, str]


@dataclass(frozen=True, slots=True)
class Table:
    """A CSV file read and checked for shape: header known, every row the right length."""

    file: str
    columns: tuple[str, ...]
    rows: tuple[Row, ...]


def read_table(
    path: Path,
    display: str,
    problems: Problems,
    required: Sequence[str],
    optional: Iterable[str] = (),
    optional_prefixes: Sequence[str] = (),
) -> Table | None:
    """Read ``path`` as a CSV table with the given columns; record problems, return what is usable.

    Column names are matched case-insensitively with surrounding spaces ignored. Blank rows
    (Excel leaves rows of empty cells behind) are skipped.

    Returns
    -------
    Table | None
        ``None`` when the file cannot be used at all (unreadable, malformed or missing a
        required column); problems then say why.
    """
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        problems.add(display, 0, "(file)", "required file is missing")
        return None
    except IsADirectoryError:
        problems.add(display, 0, "(file)", "expected a file, found a folder")
        return None
    except OSError as exc:
        problems.add(display, 0, "(file)", f"cannot read the file: {exc.strerror}")
        return None
    try:
        text = decode_bytes(data)
    except UnicodeError as exc:
        problems.add(display, 0, "(file)", f"unreadable bytes: {exc}")
        return None

    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    records: list[tuple[int, list[str]]] = []
    try:
        for record in reader:
            records.append((reader.line_num, record))
    except csv.Error as exc:
        problems.add(display, reader.line_num + 1, "(row)", f"malformed CSV: {exc}")
        return None
    if not records or not any(cell.strip() for cell in records[0][1]):
        problems.add(
            display, 1, "(header)", "the file is empty; expected a header row", ",".join(required)
        )
        return None

    header = [cell.strip().lower() for cell in records[0][1]]
    while header and header[-1] == "":
        header.pop()
    ok = True
    allowed = set(required) | set(optional)
    seen: set[str] = set()
    for name in header:
        if name == "":
            problems.add(display, 1, "(header)", "a column has no name")
            ok = False
        elif name in seen:
            problems.add(display, 1, name, "duplicate column")
            ok = False
        elif name not in allowed and not name.startswith(tuple(optional_prefixes)):
            expected = ", ".join([*required, *optional, *(f"{p}…" for p in optional_prefixes)])
            problems.add(display, 1, name, f"unknown column; expected {expected}", name)
            ok = False
        seen.add(name)
    for name in required:
        if name not in seen:
            problems.add(display, 1, name, "missing column", ",".join(header))
            ok = False
    if not ok:
        return None

    rows: list[Row] = []
    width = len(header)
    for line, record in records[1:]:
        if not any(cell.strip() for cell in record):
            continue
        extra = [cell for cell in record[width:] if cell.strip()]
        if extra:
            problems.add(
                display,
                line,
                "(row)",
                f"row has {len(record)} cells but the header has {width} columns",
                ",".join(record),
            )
            continue
        # Cells that patrolsim guarded against spreadsheet formulas are read back as written.
        cells = {
            name: (unguard_cell(record[i].strip()) if i < len(record) else "")
            for i, name in enumerate(header)
        }
        rows.append(Row(line, cells))
    return Table(display, tuple(header), tuple(rows))


class Cells:
    """Typed access to one row's cells; every failure is recorded, never raised."""

    def __init__(self, table: Table, row: Row, problems: Problems) -> None:
        self.table = table
        self.row = row
        self.problems = problems
        self.ok = True

    def flag(self, name: str, message: str, got: object) -> None:
        """Record a problem with this row's cell ``name``."""
        self.ok = False
        self.problems.add(self.table.file, self.row.line, name, message, got)

    def text(self, name: str, required: bool = True) -> str:
        """The cell as text; an empty required cell is a problem."""
        value = self.row.cells.get(name, "")
        if required and value == "":
            self.flag(name, "must not be empty", None)
        return value

    def ident(self, name: str) -> str:
        """The cell as an id: it may reach file names and line-based formats (``.ics``).

        An id is printable (no control characters, so no CR/LF), holds no path separator or
        wildcard (:data:`ID_FORBIDDEN`), does not start with a dot (``..``, hidden files) and
        is at most :data:`ID_MAX_LEN` characters long.
        """
        value = self.text(name)
        if value == "":
            return value
        if not value.isprintable():
            self.flag(name, "must not hold control characters such as line breaks or tabs", value)
        elif any(c in ID_FORBIDDEN for c in value):
            self.flag(name, 'must not hold any of / \\ : * ? " < > | (ids name files)', value)
        elif value.startswith("."):
            self.flag(name, "must not start with a dot (ids name files)", value)
        elif len(value) > ID_MAX_LEN:
            self.flag(name, f"must be at most {ID_MAX_LEN} characters long", value)
        return value

    def number(
        self,
        name: str,
        minimum: float | None = None,
        maximum: float | None = None,
        required: bool = True,
    ) -> float | None:
        """The cell as a finite number within [minimum, maximum]."""
        raw = self.row.cells.get(name, "")
        if raw == "":
            if required:
                self.flag(name, "must not be empty; expected a number", None)
            return None
        try:
            value = float(raw)
        except ValueError:
            self.flag(name, "expected a number", raw)
            return None
        if value != value or value in (float("inf"), float("-inf")):
            self.flag(name, "expected a finite number", raw)
            return None
        if minimum is not None and value < minimum:
            self.flag(name, f"must be at least {minimum:g}", raw)
            return None
        if maximum is not None and value > maximum:
            self.flag(name, f"must be at most {maximum:g}", raw)
            return None
        return value

    def choice(
        self, name: str, options: Sequence[str], aliases: Mapping[str, str] | None = None
    ) -> str | None:
        """The cell as one of ``options`` (case-insensitive; ``aliases`` map other spellings)."""
        raw = self.text(name)
        if raw == "":
            return None
        value = raw.lower()
        if aliases and raw in aliases:
            value = aliases[raw]
        if value not in options:
            self.flag(name, f"unknown value; expected one of {', '.join(options)}", raw)
            return None
        return value

    def date(self, name: str) -> dt.date | None:
        """The cell as a date, ISO ``2026-03-02`` or Excel's ``2026/3/2``."""
        raw = self.text(name)
        if raw == "":
            return None
        return parse_date(raw, lambda: self.flag(name, "expected a date like 2026-03-02", raw))


def parse_date(raw: str, on_error: Callable[[], None]) -> dt.date | None:
    """Parse ``2026-03-02``, ``2026/3/2`` or ``2026.3.2``; else call ``on_error``, return None."""
    text = raw.strip().split(" ")[0].replace("/", "-").replace(".", "-")
    parts = text.split("-")
    if len(parts) == 3 and all(p.isdigit() for p in parts):
        try:
            return dt.date(int(parts[0]), int(parts[1]), int(parts[2]))
        except ValueError:
            pass
    on_error()
    return None


def check_unique(
    table: Table, name: str, values: Iterable[tuple[int, str]], problems: Problems
) -> None:
    """Record every repeat of an id, naming the row where it first appeared."""
    first: dict[str, int] = {}
    for line, value in values:
        if value in first:
            problems.add(
                table.file, line, name, f"duplicate id, first used in row {first[value]}", value
            )
        else:
            first[value] = line
