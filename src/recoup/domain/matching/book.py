"""What a statement line is matched against: the open invoices, read once into lookups
by number, payment reference, amount and customer, and what is known of the payers."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date

from recoup.domain.matching.references import compact, iban_key, is_rf, name_key, number_keys


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


def shape(key: str) -> tuple[str, int]:
    """A key's leading letters and its length: what a mistyped number keeps."""
    letters = len(key) - len(key.lstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZ"))
    return key[:letters], len(key)


class MatchBook:
    """The open invoices and payers, indexed for matching. Build it once per statement."""

    def __init__(
        self,
        invoices: Iterable[OpenInvoice],
        customer_names: Mapping[str, str],
        known_ibans: Mapping[str, Iterable[str]] | None = None,
    ) -> None:
        self.invoices: list[OpenInvoice] = []
        self.by_key: dict[str, list[int]] = {}
        self.by_reference: dict[str, list[int]] = {}
        self.by_amount: dict[tuple[str, int], list[int]] = {}
        self.by_customer: dict[str, list[int]] = {}
        self.shapes: set[tuple[str, int]] = set()  # (leading letters, length) of the keys
        for i, inv in enumerate(invoices):
            self.invoices.append(inv)
            for key in number_keys(inv.number):
                self.by_key.setdefault(key, []).append(i)
                self.shapes.add(shape(key))
            if inv.reference:
                self.by_reference.setdefault(compact(inv.reference), []).append(i)
            self.by_amount.setdefault((inv.currency, inv.open_minor), []).append(i)
            self.by_customer.setdefault(inv.customer, []).append(i)
        self.names = {c: name_key(n) for c, n in customer_names.items()}
        self.by_name: dict[str, list[str]] = {}
        self.by_word: dict[str, list[str]] = {}
        for customer, key in self.names.items():
            self.by_name.setdefault(key, []).append(customer)
            for word in set(key.split()):
                if len(word) >= 3:
                    self.by_word.setdefault(word, []).append(customer)
        self.by_iban: dict[str, set[str]] = {}
        for customer, ibans in (known_ibans or {}).items():
            for iban in ibans:
                self.by_iban.setdefault(iban_key(iban), set()).add(customer)

    def referenced(self, reference: str) -> list[int]:
        """Invoices whose payment reference, or whose number inside an RF reference, this is."""
        ref = compact(reference)
        found = list(self.by_reference.get(ref, ()))
        if not found and is_rf(ref):
            for key in number_keys(ref[4:]):
                found += self.by_key.get(key, ())
        return found

    def looks_like_number(self, key: str) -> bool:
        """Whether `key` has the shape of an invoice number, give or take a character."""
        prefix, length = shape(key)
        return any((prefix, length + d) in self.shapes for d in (-1, 0, 1))

    def customers_named(self, key: str, words_up_to: int = 50) -> list[str]:
        """Customers whose name might be `key` (a `name_key`): the same name, else those
        sharing its rarest word when few do."""
        same = self.by_name.get(key)
        if same:
            return list(same)
        groups = [self.by_word[w] for w in set(key.split()) if w in self.by_word]
        if not groups:
            return []
        rarest = min(groups, key=len)
        return list(rarest) if len(rarest) <= words_up_to else []
