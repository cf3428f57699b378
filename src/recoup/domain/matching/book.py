"""What a statement line is matched against: the open invoices held as columns, with
lookups by number and payment reference made for the whole book at C speed (one
regular-expression pass over all the numbers, not one per invoice), and lookups by
amount and by customer made for the lines at hand (`prepare`)."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from itertools import compress
from operator import ne
from typing import Generic, TypeVar

from recoup.domain.matching.references import (
    compact,
    iban_key,
    is_rf,
    name_key,
    name_keys,
    number_keys,
)


@dataclass(frozen=True, slots=True)
class OpenInvoice:
    """An invoice with something still to pay."""

    number: str
    customer: str  # the customer's key
    open_minor: int  # still to pay, in minor units (> 0)
    currency: str
    due_date: date
    issue_date: date | None = None
    reference: str = ""  # the payment reference the invoice asks for (RF or the business's own)


# the keys of `references.number_keys`, for many numbers at once
V = TypeVar("V")

_ZEROS = re.compile(r"(?<![0-9])0+(?=[0-9])")
_NOT_ALNUM = re.compile(r"[^A-Z0-9\n]+")
_LEADING = re.compile(r"^[A-Z]*", re.MULTILINE)
# for text all in ASCII, `str.translate` takes out what the patterns above would, faster
_KEPT = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789\n")
_ONLY_ALNUM = {c: None for c in range(128) if chr(c) not in _KEPT}
_NO_LETTERS = dict.fromkeys(range(ord("A"), ord("Z") + 1))


def _bulk(texts: Sequence[str], *, zeros: bool) -> list[str]:
    joined = "\n".join(texts).upper()
    if joined.count("\n") != len(texts) - 1:  # a value with a line break of its own
        return [number_keys(t)[0] if number_keys(t) else "" for t in texts]
    if zeros:
        joined = _ZEROS.sub("", joined)
    if not texts:
        return []
    if joined.isascii():
        return joined.translate(_ONLY_ALNUM).split("\n")
    return _NOT_ALNUM.sub("", joined).split("\n")


def _shared(keys: list[str], index: dict[str, int]) -> set[str]:
    """The keys that two or more positions hold (`index` keeps each key's last position):
    found at C speed, without counting every key."""
    if len(index) == len(keys):
        return set()
    earlier = compress(keys, map(ne, map(index.__getitem__, keys), range(len(keys))))
    return set(earlier)


class _Lookup(Generic[V]):
    """Values by key, built in C from two lists; the few keys that several values share
    are kept apart."""

    def __init__(self, keys: list[str], values: list[V]) -> None:
        self.one: dict[str, V] = dict(zip(keys, values, strict=True))
        self.more: dict[str, list[V]] = {}
        if len(self.one) < len(keys):
            shared = {k for k, c in Counter(keys).items() if c > 1}
            for k, v in zip(keys, values, strict=True):
                if k in shared:
                    self.more.setdefault(k, []).append(v)

    def get(self, key: str, default: Sequence[V] = ()) -> Sequence[V]:
        if key in self.more:
            return self.more[key]
        return [self.one[key]] if key in self.one else default


def shape(key: str) -> tuple[str, int]:
    """A key's leading letters and its length: what a mistyped number keeps."""
    letters = len(key) - len(key.lstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZ"))
    return key[:letters], len(key)


class MatchBook:
    """The open invoices and payers, indexed for matching. Build it once per statement,
    `prepare` it for the statement's lines, then match them one by one."""

    def __init__(
        self,
        numbers: Sequence[str],
        customers: Sequence[str],
        open_minor: Sequence[int],
        currencies: Sequence[str],
        due_dates: Sequence[date | str],  # dates, or their ISO text
        references: Sequence[str],
        customer_names: Mapping[str, str],
        known_ibans: Mapping[str, Iterable[str]] | None = None,
    ) -> None:
        self.numbers = numbers if isinstance(numbers, list) else list(numbers)
        self.customers = customers if isinstance(customers, list) else list(customers)
        self.open_minor = list(open_minor)  # changed by `reduce`: a copy
        self.currencies = currencies if isinstance(currencies, list) else list(currencies)
        self.due_dates = due_dates if isinstance(due_dates, list) else list(due_dates)
        self.references = references if isinstance(references, list) else list(references)
        self._index_numbers()
        with_ref = [i for i, r in enumerate(self.references) if r]
        ref_keys = _bulk([self.references[i] for i in with_ref], zeros=False)
        self.by_reference = _Lookup(ref_keys, with_ref)
        keys = name_keys(list(customer_names.values()))
        self.names = dict(zip(customer_names, keys, strict=True))
        self.by_name = _Lookup(keys, list(customer_names))
        self._by_word: dict[str, list[str]] | None = None
        self._named: dict[tuple[str, int], list[str]] = {}  # customers_named's answers
        self._payer_keys: dict[str, str] = {}  # payers' names made comparable (payers_of)
        self._positions: dict[str, int] | None = None
        self.by_iban: dict[str, set[str]] = {}
        for customer, ibans in (known_ibans or {}).items():
            for iban in ibans:
                self.by_iban.setdefault(iban_key(iban), set()).add(customer)
        self.by_amount: dict[tuple[str, int], set[int]] = {}
        self.by_customer: dict[str, list[int]] = {}

    @classmethod
    def of(
        cls,
        invoices: Iterable[OpenInvoice],
        customer_names: Mapping[str, str],
        known_ibans: Mapping[str, Iterable[str]] | None = None,
    ) -> MatchBook:
        rows = list(invoices)
        return cls(
            [i.number for i in rows],
            [i.customer for i in rows],
            [i.open_minor for i in rows],
            [i.currency for i in rows],
            [i.due_date for i in rows],
            [i.reference for i in rows],
            customer_names,
            known_ibans,
        )

    def _index_numbers(self) -> None:
        n = len(self.numbers)
        full = _bulk(self.numbers, zeros=True)
        digits = "\n".join(full).translate(_NO_LETTERS).split("\n") if n else []
        self.by_full = dict(zip(full, range(n), strict=True))
        self.by_digits = dict(zip(digits, range(n), strict=True))
        self.more_keys: dict[str, list[int]] = {}  # keys that two or more invoices share
        for keys, index, least in ((full, self.by_full, 3), (digits, self.by_digits, 4)):
            if len(index) < n:
                for key in _shared(keys, index):
                    if len(key) >= least:
                        self.more_keys.setdefault(key, [])
                # the positions holding a shared key, picked out at C speed
                held = self.more_keys.__contains__
                for i in compress(range(n), map(held, keys)):
                    same = self.more_keys[keys[i]]
                    if i not in same:
                        same.append(i)
        prefixes = _LEADING.findall("\n".join(full)) if n else []
        self.shapes = set(zip(prefixes, map(len, full), strict=True))
        self.shapes |= {("", length) for length in set(map(len, digits))}

    # -- lookups ---------------------------------------------------------------------

    def numbered(self, key: str) -> list[int]:
        """The invoices with this number key: the number's letters and digits, or (for
        four digits or more) its digits alone."""
        if len(key) < 3:
            return []
        if key in self.more_keys:
            return list(self.more_keys[key])
        found = [i for i in (self.by_full.get(key),) if i is not None]
        if key.isdigit() and len(key) >= 4:
            i = self.by_digits.get(key)
            if i is not None and i not in found:
                found.append(i)
        return found

    def position(self, number: str) -> int:
        """Where the invoice numbered exactly `number` is held: found by its key (a dict
        of a million numbers would cost more than the lines that ask)."""
        key = _bulk([number], zeros=True)[0]
        held = self.more_keys.get(key) or ([self.by_full[key]] if key in self.by_full else [])
        for i in held:
            if self.numbers[i] == number:
                return i
        if self._positions is None:
            self._positions = dict(zip(self.numbers, range(len(self.numbers)), strict=True))
        return self._positions[number]

    def invoice(self, i: int) -> OpenInvoice:
        due: date | str = self.due_dates[i]
        return OpenInvoice(
            self.numbers[i],
            self.customers[i],
            self.open_minor[i],
            self.currencies[i],
            date.fromisoformat(due) if isinstance(due, str) else due,
            None,
            self.references[i],
        )

    def referenced(self, reference: str) -> list[int]:
        """Invoices whose payment reference, or whose number inside an RF reference, this is."""
        ref = compact(reference)
        found = list(self.by_reference.get(ref, ()))
        if not found and is_rf(ref):
            for key in number_keys(ref[4:]):
                found += self.numbered(key)
        return found

    def looks_like_number(self, key: str) -> bool:
        """Whether `key` has the shape of an invoice number, give or take a character."""
        prefix, length = shape(key)
        return any((prefix, length + d) in self.shapes for d in (-1, 0, 1))

    def customers_named(self, key: str, words_up_to: int = 50) -> list[str]:
        """Customers whose name might be `key` (a `name_key`): the same name, else those
        sharing its rarest word when few do."""
        found = self._named.get((key, words_up_to))
        if found is None:
            found = self._named[(key, words_up_to)] = self._customers_named(key, words_up_to)
        return list(found)

    def _customers_named(self, key: str, words_up_to: int) -> list[str]:
        same = self.by_name.get(key)
        if same:
            return list(same)
        if self._by_word is None:
            self._by_word = {}
            for customer, name in self.names.items():
                for word in set(name.split()):
                    if len(word) >= 3:
                        self._by_word.setdefault(word, []).append(customer)
        groups = [self._by_word[w] for w in set(key.split()) if w in self._by_word]
        if not groups:
            return []
        rarest = min(groups, key=len)
        return list(rarest) if len(rarest) <= words_up_to else []

    def payers(self, payer_name: str, payer_iban: str) -> set[str]:
        """Customers the payer may be: by a known account, or by a name like theirs."""
        found = set(self.by_iban.get(iban_key(payer_iban), ())) if payer_iban else set()
        if payer_name:
            found.update(self.customers_named(name_key(payer_name)))
        return found

    def payer_key(self, name: str) -> str:
        """A payer's name made comparable (`name_key`), kept from `payers_of`."""
        key = self._payer_keys.get(name)
        return key if key is not None else name_key(name)

    def payers_of(self, lines: Sequence[tuple[str, str]]) -> set[str]:
        """`payers` for many (name, account) pairs, the names made comparable at once."""
        keys = name_keys([name for name, _ in lines])
        self._payer_keys.update(zip((name for name, _ in lines), keys, strict=True))
        found: set[str] = set()
        for key, (_, iban) in zip(keys, lines, strict=True):
            if iban:
                found.update(self.by_iban.get(iban_key(iban), ()))
            if key:
                found.update(self.customers_named(key))
        return found

    # -- for the lines at hand ------------------------------------------------------

    def prepare(self, amounts: Iterable[tuple[str, int]], customers: Iterable[str]) -> None:
        """Lookups by amount (in its currency) and by customer for these only: one pass
        over the book's columns instead of an index of everything."""
        new = {pair for pair in amounts if pair not in self.by_amount}
        if new:
            minors = {m for _, m in new}
            for pair in new:
                self.by_amount[pair] = set()
            # the few positions whose amount is asked for, picked out at C speed
            asked = map(minors.__contains__, self.open_minor)
            for i in compress(range(len(self.open_minor)), asked):
                pair = (self.currencies[i], self.open_minor[i])
                if pair in new:
                    self.by_amount[pair].add(i)
        who = {c for c in customers if c not in self.by_customer}
        if who:
            for c in who:
                self.by_customer[c] = []
            for i in compress(range(len(self.customers)), map(who.__contains__, self.customers)):
                self.by_customer[self.customers[i]].append(i)

    def reduce(self, i: int, minor: int) -> None:
        """Invoice `i` was paid `minor`: what stays open, for the lines that follow."""
        old = self.open_minor[i]
        new = max(0, old - minor)
        self.open_minor[i] = new
        same = self.by_amount.get((self.currencies[i], old))
        if same is not None:
            same.discard(i)
        if (self.currencies[i], new) in self.by_amount:
            self.by_amount[(self.currencies[i], new)].add(i)
