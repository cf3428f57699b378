"""The jurisdictions shipped with recoup: their data files, read and checked once."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from recoup.domain.interest import StatutoryRules
from recoup.domain.limitation import LimitationTable
from recoup.jurisdictions.tables import load_rules, read_limitation_table

DATA_DIR = Path(__file__).resolve().parent / "data"


class UnknownJurisdictionError(LookupError):
    """A jurisdiction code with no rules in the data files."""


@dataclass(frozen=True, slots=True)
class Catalogue:
    """Statutory late-payment rules by jurisdiction code (GB, EU, DE, FR, NL ...)."""

    rules: Mapping[str, StatutoryRules]

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(sorted(self.rules))

    def get(self, code: str) -> StatutoryRules:
        try:
            return self.rules[code.strip().upper()]
        except KeyError:
            raise UnknownJurisdictionError(
                f"unknown jurisdiction {code!r}; known: {', '.join(self.codes)}"
            ) from None


def load_catalogue(data_dir: Path = DATA_DIR) -> Catalogue:
    """Read and check every data file under `data_dir` (raises `TableError` listing problems)."""
    return Catalogue(load_rules(data_dir))


@cache
def default_catalogue() -> Catalogue:
    """The shipped data, read once per process."""
    return load_catalogue(DATA_DIR)


def load_limitations(data_dir: Path = DATA_DIR) -> LimitationTable:
    """The limitation periods in `data_dir/limitation.csv` (raises `TableError`)."""
    return read_limitation_table(data_dir / "limitation.csv")


@cache
def default_limitations() -> LimitationTable:
    """The shipped limitation periods, read once per process."""
    return load_limitations(DATA_DIR)
