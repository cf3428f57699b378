"""How a bank's CSV export is read: which column feeds which field of a statement line,
and the file's settings, from `--map COLUMN=field` options and a saved TOML mapping
file (as the other imports keep theirs), or else from recognised column names.

A mapping file:

    kind = "bank"
    account = "NL77ABNA0574908765"   # when no column names the account
    currency = "EUR"                 # when no column gives it
    date_format = "%m/%d/%Y"         # else detected, refusing to guess
    decimal = "."                    # else detected
    delimiter = ","                  # else detected: , ; tab |
    encoding = "utf-8"               # else UTF-8, then Windows-1252
    skip_lines = 4                   # lines before the column names
    footer_lines = 1                 # lines after the last statement line
    no_header = false                # true: columns are named 1, 2, 3, ...
    sign = "inverse"                 # a card statement: purchases written positive
    debit_mark = "D"                 # the `mark` column's word for money out

    [columns]
    "Date" = "date"
    "Label" = "remittance"

Several columns may feed `remittance` (joined in their order).
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from recoup.imports.problems import InputError, Problem

FIELDS: dict[str, str] = {
    "date": "the booking date",
    "value_date": "the value date",
    "amount": "the signed amount (money in positive)",
    "debit": "money out (a column of its own)",
    "credit": "money in (a column of its own)",
    "mark": "a debit/credit mark (D/C) for an unsigned amount",
    "currency": "the currency",
    "fee": "a fee taken from the amount (a line of its own)",
    "counterparty": "the payer's or payee's name",
    "counterparty_iban": "the payer's or payee's account",
    "counterparty_bic": "the payer's or payee's bank",
    "remittance": "what the payer wrote",
    "reference": "the payer's reference (end-to-end id, invoice number)",
    "transaction_id": "the bank's id of the line",
    "kind": "the bank's word for the kind of line (fee, return, ...)",
    "account": "our own account",
}

# column names recognised without a mapping (compared in lower case, spaces collapsed)
KNOWN: dict[str, tuple[str, ...]] = {
    "date": ("date", "booking date", "transaction date", "posting date", "buchungstag"),
    "value_date": ("value date", "valuta", "valutadatum", "wertstellung"),
    "amount": ("amount", "betrag", "montant"),
    "debit": ("debit", "soll", "débit"),
    "credit": ("credit", "haben", "crédit"),
    "currency": ("currency", "währung", "waehrung", "devise"),
    "counterparty": ("partner name", "counterparty", "payer", "name", "beneficiary"),
    "counterparty_iban": ("iban", "counterparty iban", "bank account"),
    "remittance": ("label", "description", "memo", "purpose", "verwendungszweck"),
    "reference": ("reference", "end to end id", "invoice id"),
    "transaction_id": ("transaction id", "id"),
}

_SETTINGS = (
    "account",
    "currency",
    "date_format",
    "decimal",
    "delimiter",
    "encoding",
    "skip_lines",
    "footer_lines",
    "no_header",
    "sign",
    "debit_mark",
)


@dataclass
class CsvMapping:
    columns: dict[str, str] = field(default_factory=dict)  # source column -> field
    account: str | None = None
    currency: str | None = None
    date_format: str | None = None
    decimal: str | None = None
    delimiter: str | None = None
    encoding: str | None = None
    skip_lines: int = 0
    footer_lines: int = 0
    no_header: bool = False
    sign: str | None = None  # "inverse"
    debit_mark: str | None = None

    def over(self, base: CsvMapping) -> CsvMapping:
        """This mapping, falling back to `base` for what is not set here."""
        return CsvMapping(
            columns={**base.columns, **self.columns},
            account=self.account or base.account,
            currency=self.currency or base.currency,
            date_format=self.date_format or base.date_format,
            decimal=self.decimal or base.decimal,
            delimiter=self.delimiter or base.delimiter,
            encoding=self.encoding or base.encoding,
            skip_lines=self.skip_lines or base.skip_lines,
            footer_lines=self.footer_lines or base.footer_lines,
            no_header=self.no_header or base.no_header,
            sign=self.sign or base.sign,
            debit_mark=self.debit_mark or base.debit_mark,
        )

    @property
    def given(self) -> bool:
        return bool(self.columns)


def check(mapping: CsvMapping, where: str) -> list[Problem]:
    """What is wrong with a mapping before any file is read."""
    out: list[Problem] = []
    for source, target in mapping.columns.items():
        if target not in FIELDS:
            out.append(
                Problem(
                    where,
                    None,
                    None,
                    f"{source!r} maps to {target!r}, which is no field "
                    f"of a bank line; the fields: {', '.join(FIELDS)}",
                )
            )
    if mapping.sign not in (None, "inverse", "normal"):
        out.append(Problem(where, None, None, f"sign {mapping.sign!r}: 'inverse' or 'normal'"))
    if mapping.decimal not in (None, ".", ","):
        out.append(Problem(where, None, None, f"decimal {mapping.decimal!r}: '.' or ','"))
    return out


def parse_maps(items: list[str]) -> dict[str, str]:
    """`--map COLUMN=field` options as a column map; InputError names a malformed one."""
    out: dict[str, str] = {}
    bad: list[Problem] = []
    for item in items:
        source, sep, target = item.rpartition("=")
        if not sep or not source.strip() or not target.strip():
            bad.append(Problem("--map", None, None, f"{item!r} is not COLUMN=field"))
            continue
        out[source.strip()] = target.strip()
    if bad:
        raise InputError(bad)
    return out


def load(path: Path) -> CsvMapping:
    """A saved bank mapping; InputError says why it cannot be used."""
    name = str(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InputError([Problem(name, None, None, "no such mapping file")]) from None
    except (OSError, UnicodeDecodeError):
        raise InputError([Problem(name, None, None, "cannot be read as UTF-8 text")]) from None
    except tomllib.TOMLDecodeError as err:
        raise InputError([Problem(name, None, None, f"not valid TOML: {err}")]) from None
    unknown = set(data) - {*_SETTINGS, "columns", "kind"}
    if unknown:
        raise InputError(
            [Problem(name, None, None, f"unknown settings {sorted(unknown)}; known: {_SETTINGS}")]
        )
    if data.get("kind", "bank") != "bank":
        raise InputError(
            [Problem(name, None, None, f"a mapping for {data['kind']!r}, not for a bank statement")]
        )
    columns = data.get("columns", {})
    if not isinstance(columns, dict) or not all(isinstance(v, str) for v in columns.values()):
        raise InputError([Problem(name, None, None, "[columns] must map names to field names")])
    mapping = CsvMapping(columns=dict(columns))
    for key in _SETTINGS:
        if key in data:
            setattr(mapping, key, data[key])
    problems = check(mapping, name)
    if problems:
        raise InputError(problems)
    return mapping


def save(path: Path, mapping: CsvMapping) -> None:
    def q(value: str) -> str:
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'

    lines = ["# recoup mapping for a bank statement CSV", 'kind = "bank"']
    for key in _SETTINGS:
        value = getattr(mapping, key)
        if value in (None, 0, False):
            continue
        if isinstance(value, bool):
            lines.append(f"{key} = true")
        elif isinstance(value, int):
            lines.append(f"{key} = {value}")
        else:
            lines.append(f"{key} = {q(str(value))}")
    lines += ["", "[columns]"]
    lines.extend(f"{q(src)} = {q(dst)}" for src, dst in mapping.columns.items())
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def recognised(header: list[str]) -> dict[str, str]:
    """A column map from the column names alone (each field from its first column)."""
    out: dict[str, str] = {}
    taken: set[str] = set()
    for name in header:
        key = " ".join(name.lower().replace("_", " ").split())
        for target, names in KNOWN.items():
            if key in names and target not in taken:
                out[name] = target
                taken.add(target)
                break
    return out
