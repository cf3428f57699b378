"""Generate a demo book: customers, contacts, invoices and payments, from a seed."""

from __future__ import annotations

import math
import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta

KINDS = ("reliable", "evader", "juggler", "troubled")
KIND_WEIGHTS = (0.62, 0.08, 0.17, 0.13)

COUNTRIES = (
    ("US", "America/New_York", "en"),
    ("US", "America/Chicago", "en"),
    ("US", "America/Los_Angeles", "en"),
    ("GB", "Europe/London", "en"),
    ("DE", "Europe/Berlin", "de"),
    ("FR", "Europe/Paris", "fr"),
    ("NL", "Europe/Amsterdam", "en"),
)
COUNTRY_WEIGHTS = (0.25, 0.15, 0.12, 0.18, 0.12, 0.08, 0.10)
CURRENCY_OF = {"US": "USD", "GB": "GBP", "DE": "EUR", "FR": "EUR", "NL": "EUR"}

_FIRST = (
    "Blue",
    "North",
    "Silver",
    "Oak",
    "Harbor",
    "Granite",
    "Maple",
    "Bright",
    "Iron",
    "Cedar",
    "Summit",
    "River",
    "Golden",
    "Lake",
    "Stone",
    "Red",
    "Pine",
    "West",
    "Eagle",
    "Willow",
    "Copper",
    "Green",
    "Hill",
    "Sun",
    "Birch",
    "Crown",
    "Meadow",
)
_SECOND = (
    "Bakery",
    "Builders",
    "Logistics",
    "Print",
    "Dental",
    "Studio",
    "Farms",
    "Motors",
    "Electric",
    "Joinery",
    "Catering",
    "Design",
    "Plumbing",
    "Florist",
    "Pharmacy",
    "Garage",
    "Analytics",
    "Textiles",
    "Roofing",
    "Coffee",
    "Books",
    "Clinic",
    "Consulting",
    "Hardware",
    "Events",
    "Optics",
    "Kitchens",
)
_SUFFIX = {
    "US": ("LLC", "Inc.", "Co."),
    "GB": ("Ltd", "Ltd", "LLP"),
    "DE": ("GmbH", "KG"),
    "FR": ("SARL", "SAS"),
    "NL": ("B.V.", "V.O.F."),
}
_PEOPLE = (
    "Alex Morgan",
    "Sam Patel",
    "Jo Fischer",
    "Marie Dubois",
    "Lena Vogel",
    "Tom Becker",
    "Priya Shah",
    "Chris Young",
    "Noor de Vries",
    "Ana Lopez",
    "Ben Carter",
    "Eva Janssen",
    "Luc Martin",
    "Mia Wagner",
    "Omar Haddad",
)
_STREETS = (
    "High Street",
    "Main Street",
    "Hauptstraße",
    "Rue de la Paix",
    "Kerkstraat",
    "Station Road",
    "Market Square",
    "Bahnhofstraße",
    "Avenue Foch",
    "Dorpsstraat",
)
_CITIES = {
    "US": ("Boston, MA 02108", "Chicago, IL 60601", "Austin, TX 73301"),
    "GB": ("London EC1A 1BB", "Leeds LS1 4AP", "Bristol BS1 5TR"),
    "DE": ("10115 Berlin", "80331 München", "50667 Köln"),
    "FR": ("75001 Paris", "69001 Lyon", "13001 Marseille"),
    "NL": ("1012 AB Amsterdam", "3011 AA Rotterdam", "3511 AA Utrecht"),
}
_COUNTRY_NAME = {
    "US": "United States",
    "GB": "United Kingdom",
    "DE": "Germany",
    "FR": "France",
    "NL": "Netherlands",
}


@dataclass(frozen=True, slots=True)
class GenCustomer:
    key: str
    name: str
    country: str
    language: str
    timezone: str
    kind: str
    currency: str
    terms_days: int
    contact: tuple[str, str, str, str, str]  # name, email, phone, address, channel


@dataclass(frozen=True, slots=True)
class GenInvoice:
    number: str
    customer: str
    issue_date: date
    due_date: date
    currency: str
    amount_minor: int
    tax_minor: int
    terms_days: int


@dataclass(frozen=True, slots=True)
class GenPayment:
    reference: str
    customer: str
    invoice: str
    date: date
    currency: str
    amount_minor: int
    method: str


@dataclass
class GeneratedBook:
    as_of: date
    customers: list[GenCustomer] = field(default_factory=list)
    invoices: list[GenInvoice] = field(default_factory=list)
    payments: list[GenPayment] = field(default_factory=list)


def _split(total: int, parts: int, rnd: random.Random) -> list[int]:
    """`total` invoices spread over `parts` customers, every customer at least one."""
    weights = [rnd.paretovariate(1.6) for _ in range(parts)]
    scale = (total - parts) / sum(weights)
    counts = [1 + int(w * scale) for w in weights]
    short = total - sum(counts)
    for i in range(short):
        counts[i % parts] += 1
    return counts


def generate(
    customers: int,
    invoices: int,
    seed: int,
    as_of: date,
    currency: str | None = "USD",
    history_days: int = 730,
) -> GeneratedBook:
    """A book of `customers` customers and `invoices` invoices issued before `as_of`.

    `currency=None` bills each customer in its country's currency.
    """
    if customers < 1 or invoices < customers:
        raise ValueError("need at least one customer and at least one invoice per customer")
    rnd = random.Random(seed)
    book = GeneratedBook(as_of)
    counts = _split(invoices, customers, rnd)
    number = 100000
    for i in range(customers):
        cust = _customer(i, rnd, currency)
        book.customers.append(cust)
        for inv, pays in _history(cust, counts[i], number, as_of, history_days, rnd):
            book.invoices.append(inv)
            book.payments.extend(pays)
        number += counts[i]
    return book


def _customer(i: int, rnd: random.Random, currency: str | None) -> GenCustomer:
    country, tz, lang = rnd.choices(COUNTRIES, COUNTRY_WEIGHTS)[0]
    kind = rnd.choices(KINDS, KIND_WEIGHTS)[0]
    name = f"{rnd.choice(_FIRST)} {rnd.choice(_SECOND)} {rnd.choice(_SUFFIX[country])}"
    person = rnd.choice(_PEOPLE)
    domain = name.split()[0].lower() + name.split()[1].lower() + ".example"
    email = person.split()[0].lower() + "@" + domain
    prefix = {"US": "1", "GB": "44", "DE": "49", "FR": "33", "NL": "31"}[country]
    phone = f"+{prefix} {rnd.randint(100, 999)} {rnd.randint(1000000, 9999999)}"
    address = (
        f"{person}\n{name}\n{rnd.randint(1, 220)} {rnd.choice(_STREETS)}\n"
        f"{rnd.choice(_CITIES[country])}\n{_COUNTRY_NAME[country]}"
    )
    channel = rnd.choices(("email", "letter", "phone"), (0.8, 0.1, 0.1))[0]
    terms = rnd.choices((14, 30, 45, 60), (0.2, 0.55, 0.15, 0.1))[0]
    return GenCustomer(
        f"C{i + 1:06d}",
        name,
        country,
        lang,
        tz,
        kind,
        currency or CURRENCY_OF[country],
        terms,
        (person, email, phone, address, channel),
    )


def _amount(rnd: random.Random, kind: str) -> int:
    mu = {"reliable": 6.2, "evader": 6.6, "juggler": 5.8, "troubled": 6.4}[kind]
    value = rnd.lognormvariate(mu, 1.1)
    return max(500, min(int(value * 100), 250_000_00))


def _history(
    cust: GenCustomer,
    count: int,
    first_number: int,
    as_of: date,
    history_days: int,
    rnd: random.Random,
) -> Iterator[tuple[GenInvoice, list[GenPayment]]]:
    start = as_of - timedelta(days=history_days)
    trouble_from = as_of - timedelta(days=rnd.randint(60, 150))
    for k in range(count):
        # invoices spread over the history, a little denser towards the present
        offset = int(history_days * math.sqrt(rnd.random()))
        issue = start + timedelta(days=offset)
        due = issue + timedelta(days=cust.terms_days)
        amount = _amount(rnd, cust.kind)
        tax = amount - round(amount / 1.2)
        inv = GenInvoice(
            f"INV-{first_number + k}",
            cust.key,
            issue,
            due,
            cust.currency,
            amount,
            tax,
            cust.terms_days,
        )
        yield inv, _payments(cust, inv, as_of, trouble_from, rnd)


def _pay(inv: GenInvoice, day: date, amount: int, n: int, rnd: random.Random) -> GenPayment:
    method = rnd.choices(("transfer", "card", "cheque", "direct_debit"), (0.7, 0.1, 0.1, 0.1))[0]
    return GenPayment(
        f"PAY-{inv.number}-{n}", inv.customer, inv.number, day, inv.currency, amount, method
    )


def _payments(
    cust: GenCustomer, inv: GenInvoice, as_of: date, trouble_from: date, rnd: random.Random
) -> list[GenPayment]:
    kind = cust.kind
    out: list[GenPayment] = []
    if kind == "reliable" or (kind == "troubled" and inv.due_date < trouble_from):
        late = int(rnd.gauss(-2, 6)) if rnd.random() < 0.9 else rnd.randint(5, 40)
        day = max(inv.issue_date, inv.due_date + timedelta(days=late))
        if day <= as_of:
            out.append(_pay(inv, day, inv.amount_minor, 1, rnd))
    elif kind == "troubled":
        # in trouble: some partial payments, most recent invoices left open
        if rnd.random() < 0.3:
            day = inv.due_date + timedelta(days=rnd.randint(10, 60))
            if day <= as_of:
                out.append(_pay(inv, day, inv.amount_minor * rnd.randint(20, 50) // 100, 1, rnd))
    elif kind == "juggler":
        left = inv.amount_minor
        day = inv.due_date + timedelta(days=rnd.randint(5, 45))
        n = 1
        while left > 0 and day <= as_of and rnd.random() < 0.8:
            part = left if rnd.random() < 0.35 else max(100, left * rnd.randint(20, 60) // 100)
            part = min(part, left)
            out.append(_pay(inv, day, part, n, rnd))
            left -= part
            n += 1
            day += timedelta(days=rnd.randint(10, 50))
    else:  # evader
        if rnd.random() < 0.35:
            day = inv.due_date + timedelta(days=rnd.randint(60, 240))
            if day <= as_of:
                share = 100 if rnd.random() < 0.5 else rnd.randint(10, 40)
                out.append(_pay(inv, day, inv.amount_minor * share // 100, 1, rnd))
    return out
