"""Which column of a file feeds which field.

Sources, strongest first: `--map SOURCE=field` options, a saved mapping file (TOML,
see `MappingFile`), then recognised column names (`fields.FIELDS`). Columns that feed
no field are ignored.
"""

from __future__ import annotations

import difflib
import tomllib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from recoup.imports import fixes
from recoup.imports.fields import FIELDS, Kind, field_names, normalise
from recoup.imports.problems import InputError, Problem


@dataclass
class Options:
    """How to read one file. Every option can also come from a mapping file."""

    columns: dict[str, str] = field(default_factory=dict)  # source column -> field
    date_format: str | None = None
    currency: str | None = None
    decimal: str | None = None  # "." or ","; None: detect
    encoding: str | None = None
    delimiter: str | None = None
    sheet: str | None = None
    terms_days: int | None = None  # default payment terms when a row has no due date
    # the longest line read (CSV), in bytes; None: csv_checks.DEFAULT_MAX_LINE_BYTES. A
    # limit of this reading, not a property of the file: never saved in a mapping file
    max_line_bytes: int | None = None

    def merged_over(self, base: Options) -> Options:
        """These options, falling back to `base` for anything not set here."""
        return Options(
            columns={**base.columns, **self.columns},
            date_format=self.date_format or base.date_format,
            currency=self.currency or base.currency,
            decimal=self.decimal or base.decimal,
            encoding=self.encoding or base.encoding,
            delimiter=self.delimiter or base.delimiter,
            sheet=self.sheet or base.sheet,
            terms_days=self.terms_days if self.terms_days is not None else base.terms_days,
            max_line_bytes=self.max_line_bytes or base.max_line_bytes,
        )


def parse_map_options(items: list[str]) -> dict[str, str]:
    out: dict[str, str] = {}
    bad: list[Problem] = []
    for item in items:
        source, sep, target = item.rpartition("=")
        if not sep or not source.strip() or not target.strip():
            bad.append(Problem("--map", None, None, f"{item!r} is not SOURCE=field"))
            continue
        out[source.strip()] = target.strip()
    if bad:
        raise InputError(bad)
    return out


_KEYS = ("date_format", "currency", "decimal", "encoding", "delimiter", "sheet", "terms_days")


def load_mapping_file(path: Path) -> Options:
    """Options from a TOML mapping file: top-level settings and a [columns] table."""
    name = str(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InputError([Problem(name, None, None, "no such mapping file")]) from None
    except IsADirectoryError:
        raise InputError([Problem(name, None, None, "is a folder, not a mapping file")]) from None
    except (OSError, UnicodeDecodeError) as err:
        why = err.strerror if isinstance(err, OSError) else "not UTF-8 text"
        raise InputError([Problem(name, None, None, f"cannot be read: {why}")]) from None
    except tomllib.TOMLDecodeError as err:
        raise InputError([Problem(name, None, None, f"not valid TOML: {err}")]) from None
    unknown = set(data) - {*_KEYS, "columns", "kind"}
    if unknown:
        raise InputError(
            [Problem(name, None, None, f"unknown settings {sorted(unknown)}; known: {_KEYS}")]
        )
    columns = data.get("columns", {})
    if not isinstance(columns, dict) or not all(isinstance(v, str) for v in columns.values()):
        raise InputError([Problem(name, None, None, "[columns] must map names to field names")])
    opts = Options(columns=dict(columns))
    for key in _KEYS:
        if key in data:
            setattr(opts, key, data[key])
    return opts


def save_mapping_file(path: Path, kind: Kind, opts: Options) -> None:
    """Write `opts` as a mapping file that `load_mapping_file` reads back the same."""
    import tomli_w  # only when a mapping is saved

    data: dict[str, object] = {"kind": kind.value}
    data.update({key: getattr(opts, key) for key in _KEYS if getattr(opts, key) is not None})
    data["columns"] = dict(opts.columns)
    text = f"# recoup import mapping for {kind.value}\n" + tomli_w.dumps(data)
    path.write_text(text, encoding="utf-8")


@dataclass(frozen=True)
class ColumnMap:
    index: dict[str, int]  # field -> 0-based column index


def repeated_columns(
    header: list[str], file: str, label: Callable[[int], str | int], line: int = 1
) -> list[Problem]:
    """A problem for every column whose name repeats an earlier one's, as the mapping
    compares them (without case, spaces and punctuation): which of the two feeds a
    field could only be guessed. Columns without a name are not compared."""
    problems: list[Problem] = []
    first: dict[str, int] = {}
    for i, name in enumerate(header):
        if not name:
            continue
        key = normalise(name) or name
        if key in first:
            j = first[key]
            same = (
                ""
                if header[j] == name
                else " (names are compared without case, spaces and punctuation)"
            )
            problems.append(
                Problem(
                    file,
                    line,
                    label(i),
                    f"column {label(i)} {name!r} repeats the name of column {label(j)} "
                    f"{header[j]!r}{same}: rename one of them",
                )
            )
        else:
            first[key] = i
    return problems


IGNORED = ""
"""A mapping's target for a column that feeds no field, even where its name would be
recognised (the web's import page: "not used")."""


def match(
    kind: Kind,
    header: list[str],
    columns: dict[str, str],
    file: str,
    label: Callable[[int], str | int] = lambda i: i + 1,
    line: int = 1,
) -> tuple[dict[str, int], list[Problem]]:
    """Fields to column indexes, as far as they can be matched, and every problem found
    (`resolve` refuses a file with any)."""
    problems = repeated_columns(header, file, label, line)
    known = field_names(kind)
    by_name = {h: i for i, h in enumerate(header)}
    index: dict[str, int] = {}
    ignored: set[int] = set()
    for source, target in columns.items():
        if target == IGNORED and source in by_name:
            ignored.add(by_name[source])
            continue
        if target not in known:
            close = difflib.get_close_matches(target, known, n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            problems.append(
                Problem(
                    file,
                    1,
                    None,
                    f"--map {source}={target}: {kind.value} have no field "
                    f"{target!r}{hint}; fields are {', '.join(known)}",
                )
            )
            continue
        if source not in by_name:
            close = difflib.get_close_matches(source, header, n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            problems.append(
                Problem(
                    file,
                    1,
                    None,
                    f"--map {source}={target}: no column {source!r} in the "
                    f"header{hint}; columns are {', '.join(header)}",
                )
            )
            continue
        index[target] = by_name[source]
    used = set(index.values()) | ignored
    for fld in FIELDS[kind]:
        if fld.name in index:
            continue
        for i, h in enumerate(header):
            if i not in used and normalise(h) in (*fld.aliases, normalise(fld.name)):
                index[fld.name] = i
                used.add(i)
                break
    for fld in FIELDS[kind]:
        if fld.required and fld.name not in index:
            close = difflib.get_close_matches(fld.name, header, n=1, cutoff=0.5)
            hint = f" (is {close[0]!r} it?)" if close else ""
            problems.append(
                fixes.problem(
                    file,
                    1,
                    None,
                    f"no column for the field {fld.name!r}{hint}: ",
                    fixes.column(fld.name),
                    f"; columns are {', '.join(header)}",
                )
            )
    return index, problems


def resolve(
    kind: Kind,
    header: list[str],
    columns: dict[str, str],
    file: str,
    label: Callable[[int], str | int] = lambda i: i + 1,
    line: int = 1,
) -> ColumnMap:
    """Map fields to column indexes, or raise InputError naming every problem."""
    index, problems = match(kind, header, columns, file, label, line)
    if problems:
        raise InputError(problems)
    return ColumnMap(index)
