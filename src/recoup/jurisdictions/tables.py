"""Reading and checking the jurisdiction data files (CSV) into domain values.

Every problem is reported with its file and line, and all problems of a file are
collected before anything is refused, so one run of the checks lists them all. A table
with any problem is refused as a whole (`TableError`); nothing is guessed or repaired.

The files and their columns are described in `docs.md` beside this module.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import TypeVar

from recoup.domain.currencies import is_currency
from recoup.domain.interest import (
    CompensationBand,
    Compounding,
    Debtor,
    Fixing,
    InterestError,
    InterestRule,
    RateRow,
    RateSeries,
    Status,
    StatutoryRules,
)
from recoup.domain.limitation import LimitationRule, LimitationStart, LimitationTable
from recoup.domain.money import Money, MoneyError

RATE_COLUMNS = ("from", "to", "rate_percent", "source", "status")
RULE_COLUMNS = (
    "jurisdiction",
    "debtor",
    "series",
    "margin_points",
    "fixing",
    "compounding",
    "currency",
    "source",
    "status",
)
COMPENSATION_COLUMNS = (
    "jurisdiction",
    "debtor",
    "debt_from",
    "debt_below",
    "amount",
    "currency",
    "source",
    "status",
)

_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_PERCENT = re.compile(r"-?\d{1,3}(\.\d{1,4})?")
_SOURCE_KEY = re.compile(r"\[[A-Z]{1,3}\d{1,3}[a-z]?\]")
_URL = re.compile(r"https?://\S+")
_JURISDICTION = re.compile(r"[A-Z]{2}")
_ONE_DAY = timedelta(days=1)
_E = TypeVar("_E", Debtor, Fixing, Compounding, LimitationStart)


@dataclass(frozen=True, slots=True)
class TableProblem:
    file: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.message}"


class TableError(ValueError):
    """One or more data files are not well formed; `problems` lists every one."""

    def __init__(self, problems: list[TableProblem]) -> None:
        self.problems = tuple(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


class _Reader:
    """The rows of one CSV file, with the problems found while reading them."""

    def __init__(self, path: Path, columns: tuple[str, ...]) -> None:
        self.path = path
        self.columns = columns
        self.problems: list[TableProblem] = []

    def problem(self, line: int, message: str) -> None:
        self.problems.append(TableProblem(str(self.path), line, message))

    def rows(self) -> Iterator[tuple[int, dict[str, str]]]:
        try:
            text = self.path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as err:
            self.problem(0, f"cannot read the file: {err}")
            return
        reader = csv.reader(text.splitlines())
        header = next(reader, None)
        if header is None:
            self.problem(1, "the file is empty")
            return
        if tuple(h.strip() for h in header) != self.columns:
            self.problem(1, f"the header must be {','.join(self.columns)}")
            return
        seen = False
        for cells in reader:
            line = reader.line_num
            if not any(c.strip() for c in cells):
                self.problem(line, "empty line")
                continue
            if len(cells) != len(self.columns):
                self.problem(line, f"{len(cells)} fields, expected {len(self.columns)}")
                continue
            seen = True
            yield line, {k: v.strip() for k, v in zip(self.columns, cells, strict=True)}
        if not seen:
            self.problem(1, "the table has no rows")

    def day(self, line: int, column: str, value: str) -> date | None:
        if _DATE.fullmatch(value):
            try:
                return date.fromisoformat(value)
            except ValueError:
                pass
        self.problem(line, f"{column}: {value!r} is not a date (YYYY-MM-DD)")
        return None

    def percent(self, line: int, column: str, value: str) -> Decimal | None:
        if _PERCENT.fullmatch(value):
            return Decimal(value)
        self.problem(line, f"{column}: {value!r} is not a percentage (e.g. 4.25; up to 4 decimals)")
        return None

    def source(self, line: int, value: str) -> str | None:
        tokens = value.split()
        if not tokens:
            self.problem(line, "source: missing (give the reference's key, e.g. [U5])")
            return None
        bad = [t for t in tokens if not (_SOURCE_KEY.fullmatch(t) or _URL.fullmatch(t))]
        if bad:
            self.problem(line, f"source: {' '.join(bad)!r} is neither a key like [U5] nor a URL")
            return None
        return " ".join(tokens)

    def status(self, line: int, value: str) -> Status | None:
        try:
            status = Status(value)
        except ValueError:
            names = ", ".join(s.value for s in Status if s is not Status.CONFLICT)
            self.problem(line, f"status: {value!r} is not one of {names}")
            return None
        if status is Status.CONFLICT:
            self.problem(line, "status: CONFLICT rows are not used; settle the value first")
            return None
        return status

    def choice(self, line: int, column: str, value: str, kind: type[_E]) -> _E | None:
        try:
            return kind(value)
        except ValueError:
            names = ", ".join(str(k) for k in kind)
            self.problem(line, f"{column}: {value!r} is not one of {names}")
            return None

    def money(self, line: int, column: str, value: str, currency: str) -> Money | None:
        try:
            money = Money.of(value, currency)
        except MoneyError as err:
            self.problem(line, f"{column}: {err}")
            return None
        if money.is_negative():
            self.problem(line, f"{column}: {value} is negative")
            return None
        return money


# --- rate tables ----------------------------------------------------------------------


def read_rate_series(path: Path) -> RateSeries:
    """A rate table: rows `from,to,rate_percent,source,status`, unbroken and sorted."""
    series, problems = _read_rate_series(path)
    if problems or series is None:
        raise TableError(problems)
    return series


def _read_rate_series(path: Path) -> tuple[RateSeries | None, list[TableProblem]]:
    reader = _Reader(path, RATE_COLUMNS)
    rows: list[RateRow] = []
    previous: tuple[int, date, date] | None = None  # line, from, to of the row above
    next_line = 0
    for line, cells in reader.rows():
        if line != next_line:
            previous = None  # a line above could not be read: no gap or overlap to report
        next_line = line + 1
        start = reader.day(line, "from", cells["from"])
        end = reader.day(line, "to", cells["to"])
        rate = reader.percent(line, "rate_percent", cells["rate_percent"])
        source = reader.source(line, cells["source"])
        status = reader.status(line, cells["status"])
        if start is None or end is None or start > end:
            if start is not None and end is not None:
                reader.problem(line, f"from {start} is after to {end}")
            previous = None
            continue
        if previous is not None and not _continues(reader, line, start, previous):
            continue
        previous = (line, start, end)
        if rate is not None and source is not None and status is not None:
            rows.append(RateRow(start, end, rate, source, status))
    if reader.problems:
        return None, reader.problems
    return RateSeries(path.stem, tuple(rows)), []


def _continues(reader: _Reader, line: int, start: date, previous: tuple[int, date, date]) -> bool:
    """Whether a row from `start` may follow `previous` (a gap is reported but kept)."""
    prev_line, prev_start, prev_end = previous
    if start < prev_start:
        reader.problem(line, f"not sorted: starts {start}, before line {prev_line} ({prev_start})")
        return False
    if start <= prev_end:
        reader.problem(line, f"overlap: starts {start}, but line {prev_line} runs to {prev_end}")
        return False
    if start > prev_end + _ONE_DAY:
        reader.problem(
            line,
            f"gap: nothing covers {prev_end + _ONE_DAY} to {start - _ONE_DAY} "
            f"(line {prev_line} ends {prev_end})",
        )
    return True


# --- compensation bands ---------------------------------------------------------------


_Key = tuple[str, Debtor]


def _read_compensation(
    path: Path,
) -> tuple[dict[_Key, tuple[CompensationBand, ...]], dict[_Key, int], list[TableProblem]]:
    """Bands per (jurisdiction, debtor), the first line of each group, and the problems."""
    reader = _Reader(path, COMPENSATION_COLUMNS)
    groups: dict[tuple[str, Debtor], list[tuple[int, CompensationBand]]] = {}
    for line, cells in reader.rows():
        band = _band(reader, line, cells)
        debtor = reader.choice(line, "debtor", cells["debtor"], Debtor)
        if band is None or debtor is None:
            continue
        group = groups.setdefault((cells["jurisdiction"], debtor), [])
        if _follows(reader, line, band, group[-1] if group else None):
            group.append((line, band))
    for (code, debtor), group in groups.items():
        last_line, last = group[-1]
        if last.debt_below is not None:
            reader.problem(
                last_line,
                f"{code} {debtor}: debts of {last.debt_below.amount} and more have no band "
                "(leave debt_below empty on the last band)",
            )
    bands = {key: tuple(b for _, b in group) for key, group in groups.items()}
    first_lines = {key: group[0][0] for key, group in groups.items()}
    return bands, first_lines, reader.problems


def _band(reader: _Reader, line: int, cells: dict[str, str]) -> CompensationBand | None:
    code = cells["jurisdiction"]
    if not _JURISDICTION.fullmatch(code):
        reader.problem(line, f"jurisdiction: {code!r} is not a two-letter code")
        return None
    currency = cells["currency"]
    if not is_currency(currency):
        reader.problem(line, f"currency: {currency!r} is not an ISO 4217 code")
        return None
    debt_from = reader.money(line, "debt_from", cells["debt_from"], currency)
    debt_below = None
    if cells["debt_below"]:
        debt_below = reader.money(line, "debt_below", cells["debt_below"], currency)
        if debt_below is None:
            return None
    amount = reader.money(line, "amount", cells["amount"], currency)
    source = reader.source(line, cells["source"])
    status = reader.status(line, cells["status"])
    if debt_from is None or amount is None or source is None or status is None:
        return None
    if debt_below is not None and debt_below <= debt_from:
        reader.problem(
            line, f"debt_below {debt_below.amount} is not above debt_from {debt_from.amount}"
        )
        return None
    return CompensationBand(debt_from, debt_below, amount, source, status)


def _follows(
    reader: _Reader,
    line: int,
    band: CompensationBand,
    previous: tuple[int, CompensationBand] | None,
) -> bool:
    """Whether `band` may follow `previous` in its group (a gap is reported but kept)."""
    start = band.debt_from
    if previous is None:
        if start.minor != 0:
            reader.problem(line, f"gap: the first band must start at 0, not {start.amount}")
        return True
    prev_line, prev = previous
    if start.currency != prev.debt_from.currency:
        reader.problem(line, f"currency differs from line {prev_line}")
        return False
    if prev.debt_below is None:
        reader.problem(
            line, f"overlap: line {prev_line} covers every debt from {prev.debt_from.amount}"
        )
        return False
    if start < prev.debt_below:
        reader.problem(
            line,
            f"overlap or wrong order: starts {start.amount}, but line {prev_line} runs "
            f"below {prev.debt_below.amount}",
        )
        return False
    if start > prev.debt_below:
        reader.problem(
            line, f"gap: debts from {prev.debt_below.amount} to below {start.amount} have no band"
        )
    return True


# --- rules ----------------------------------------------------------------------------


def _read_rules(
    path: Path,
    series: Mapping[str, RateSeries],
    bands: Mapping[_Key, tuple[CompensationBand, ...]] | None,
    broken_series: frozenset[str] = frozenset(),
) -> tuple[dict[str, StatutoryRules], list[TableProblem]]:
    """The rules, built from the rate tables and compensation bands read before.

    `bands` is None when compensation.csv had problems, and `broken_series` names the
    rate tables whose files had problems: those were reported already, so the rules are
    still checked line by line but not built, and the missing pieces not reported again.
    """
    reader = _Reader(path, RULE_COLUMNS)
    rules: dict[_Key, InterestRule] = {}
    lines: dict[_Key, int] = {}
    declared: set[_Key] = set()  # every (code, debtor) with a line, valid or not
    for line, cells in reader.rows():
        code = cells["jurisdiction"]
        if not _JURISDICTION.fullmatch(code):
            reader.problem(line, f"jurisdiction: {code!r} is not a two-letter code")
            continue
        debtor = reader.choice(line, "debtor", cells["debtor"], Debtor)
        if debtor is not None:
            declared.add((code, debtor))
        table = series.get(cells["series"])
        if table is None and cells["series"] not in broken_series:
            known = ", ".join(sorted(series)) or "none"
            reader.problem(
                line, f"series: no rate table named {cells['series']!r} (known: {known})"
            )
        margin = reader.percent(line, "margin_points", cells["margin_points"])
        fixing = reader.choice(line, "fixing", cells["fixing"], Fixing)
        compounding = reader.choice(line, "compounding", cells["compounding"], Compounding)
        currency = cells["currency"]
        if not is_currency(currency):
            reader.problem(line, f"currency: {currency!r} is not an ISO 4217 code")
        source = reader.source(line, cells["source"])
        status = reader.status(line, cells["status"])
        if (
            debtor is None
            or table is None
            or margin is None
            or fixing is None
            or compounding is None
            or not is_currency(currency)
            or source is None
            or status is None
        ):
            continue
        key = (code, debtor)
        if key in lines:
            reader.problem(line, f"{code} {debtor} is already defined on line {lines[key]}")
            continue
        lines[key] = line
        if bands is None:
            continue
        key_bands = bands.get(key, ())
        if any(b.amount.currency != currency for b in key_bands):
            reader.problem(line, f"the compensation bands of {code} {debtor} are not in {currency}")
            continue
        try:
            rules[key] = InterestRule(
                jurisdiction=code,
                debtor=debtor,
                series=table,
                margin_points=margin,
                fixing=fixing,
                compounding=compounding,
                currency=currency,
                compensation=key_bands,
                source=source,
                status=status,
            )
        except InterestError as err:
            reader.problem(line, str(err))
    result: dict[str, StatutoryRules] = {}
    for (code, debtor), rule in rules.items():
        if debtor is Debtor.BUSINESS:
            consumer = rules.get((code, Debtor.CONSUMER))
            result[code] = StatutoryRules(code, rule, consumer)
    for code, debtor in rules:
        if (code, Debtor.BUSINESS) not in declared:
            reader.problem(lines[(code, debtor)], f"{code} has no business rule")
    return result, reader.problems


def load_rules(data_dir: Path) -> dict[str, StatutoryRules]:
    """Every jurisdiction's rules from `data_dir` (rates/*.csv, compensation.csv, rules.csv).

    All files are checked; every problem in any of them is raised together.
    """
    problems: list[TableProblem] = []
    series: dict[str, RateSeries] = {}
    broken: set[str] = set()
    rate_files = sorted((data_dir / "rates").glob("*.csv"))
    if not rate_files:
        problems.append(TableProblem(str(data_dir / "rates"), 0, "no rate tables (*.csv)"))
    for path in rate_files:
        table, found = _read_rate_series(path)
        problems.extend(found)
        if table is None:
            broken.add(path.stem)
        else:
            series[table.name] = table
    compensation_path = data_dir / "compensation.csv"
    bands, band_lines, found = _read_compensation(compensation_path)
    problems.extend(found)
    rules, found = _read_rules(
        data_dir / "rules.csv", series, None if found else bands, frozenset(broken)
    )
    problems.extend(found)
    if not problems:
        for code, debtor in bands:
            rule = rules.get(code)
            if rule is None or (debtor is Debtor.CONSUMER and rule.consumer is None):
                problems.append(
                    TableProblem(
                        str(compensation_path),
                        band_lines[(code, debtor)],
                        f"{code} {debtor}: no such rule in rules.csv",
                    )
                )
    if problems:
        raise TableError(problems)
    return rules


# --- limitation periods ---------------------------------------------------------------

LIMITATION_COLUMNS = ("code", "years", "rule", "consumer_years", "source", "status")
_LIMITATION_CODE = re.compile(r"[A-Z]{2}(-[A-Z0-9]{1,3})?")
_YEARS = re.compile(r"[1-9]\d?")
_MAX_YEARS = 30


def read_limitation_table(path: Path) -> LimitationTable:
    """The limitation periods: rows `code,years,rule,consumer_years,source,status`."""
    reader = _Reader(path, LIMITATION_COLUMNS)
    rules: dict[str, LimitationRule] = {}
    first_line: dict[str, int] = {}
    for line, cells in reader.rows():
        code = cells["code"]
        if not _LIMITATION_CODE.fullmatch(code):
            reader.problem(line, f"code: {code!r} is not a country (GB) or subdivision (US-CA)")
            continue
        if code in first_line:
            reader.problem(
                line, f"code: {code} is defined twice (first on line {first_line[code]})"
            )
            continue
        first_line[code] = line
        years = _limitation_years(reader, line, "years", cells["years"])
        consumer = (
            _limitation_years(reader, line, "consumer_years", cells["consumer_years"])
            if cells["consumer_years"]
            else None
        )
        start = reader.choice(line, "rule", cells["rule"], LimitationStart)
        source = reader.source(line, cells["source"])
        status = reader.status(line, cells["status"])
        if years is None or start is None or source is None or status is None:
            continue
        if cells["consumer_years"] and consumer is None:
            continue
        rules[code] = LimitationRule(code, years, start, consumer, source, status)
    if reader.problems:
        raise TableError(reader.problems)
    return LimitationTable(rules)


def _limitation_years(reader: _Reader, line: int, column: str, value: str) -> int | None:
    if _YEARS.fullmatch(value) and int(value) <= _MAX_YEARS:
        return int(value)
    reader.problem(line, f"{column}: {value!r} is not a number of years (1 to {_MAX_YEARS})")
    return None
