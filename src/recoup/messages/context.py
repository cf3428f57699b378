"""What a template sees: the message's data, formatted for the debtor's language.

`MessageData` is the account as one message needs it (built by the services from the
ledger, or `sample()` for previews and the golden files). `template_context` turns it
into plain strings, numbers, lists and dicts — nothing else reaches the sandbox — with
money and dates formatted by Babel in the customer's language and country.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from functools import cache
from typing import Any

from babel import Locale, UnknownLocaleError
from babel.dates import format_date
from babel.lists import format_list
from markupsafe import Markup

from recoup.domain.money import Money
from recoup.domain.words import Term
from recoup.messages.labels import LABELS, TABLE_MARK, language_of
from recoup.money_format import format_money

PAY_WITHIN_DAYS = 14
NO_BANK = {  # "pay by bank transfer to ..." in a preview when no bank details are set
    # (delivery never renders a message that prints an unset detail: missing_details)
    "en": "the account shown on your invoice",
    "de": "das auf der Rechnung angegebene Konto",
    "fr": "le compte indiqué sur votre facture",
}  # "please pay by": this many days after the message


BRIEF = 3  # invoice numbers a subject line names before "and N more"
MORE = {"en": " and {} more", "de": " und {} weitere", "fr": " et {} autres"}


@dataclass(frozen=True)
class Business:
    """Who writes: the letterhead, the signature, how to pay. An empty detail is unset:
    a message that prints it does not go (`recoup.messages.render.missing_details`)."""

    name: str = ""
    address: str = ""  # lines separated by newlines
    phone: str = ""
    email: str = ""
    website: str = ""
    bank: str = ""  # e.g. "IBAN DE89 3704 0044 0532 0130 00 · BIC COBADEFFXXX"
    signature: str = ""  # the person who signs
    payment_link: str = ""
    country: str = ""


@dataclass(frozen=True)
class Item:
    number: str
    issue_date: date
    due_date: date
    amount: Money
    open: Money


@dataclass(frozen=True)
class PaymentItem:
    date: date
    amount: Money
    reference: str = ""


@dataclass(frozen=True)
class Earlier:
    """A message of this cycle delivered to the customer before this one: the day it
    went (in the history) and how (email or letter); `reminder` False for a case-work
    notice (a promise confirmation, a dispute acknowledgement ...)."""

    date: date
    channel: str
    reminder: bool = True


@dataclass(frozen=True)
class MessageData:
    language: str
    country: str
    customer_key: str
    customer_name: str
    contact_name: str
    contact_email: str
    address: str  # the postal address, lines separated by newlines
    currency: str
    items: tuple[Item, ...]
    as_of: date
    business: Business = Business()
    interest: Money | None = None
    fees: Money | None = None
    payments: tuple[PaymentItem, ...] = ()
    timezone: str = "UTC"
    pay_by: date | None = None
    regulation_f: bool = False  # a consumer debt collected by a third party (US Reg F)
    extras: Mapping[str, Any] = field(default_factory=dict)
    earlier: tuple[Earlier, ...] = ()  # delivered before in this cycle, oldest first

    @property
    def lang(self) -> str:
        return language_of(self.language)

    @property
    def principal(self) -> Money:
        return Money(sum(i.open.minor for i in self.items), self.currency)

    @property
    def total(self) -> Money:
        return Money(
            self.principal.minor + _minor(self.interest) + _minor(self.fees), self.currency
        )

    @property
    def due_by(self) -> date:
        if self.pay_by is not None:
            return self.pay_by
        future = [i.due_date for i in self.items if i.due_date >= self.as_of]
        if self.items and len(future) == len(self.items):
            return min(future)  # nothing overdue yet: the due date itself
        return self.as_of + timedelta(days=PAY_WITHIN_DAYS)


def _minor(m: Money | None) -> int:
    return 0 if m is None else m.minor


@cache
def babel_locale(lang: str, country: str) -> Locale:
    if country:
        try:
            return Locale.parse(f"{lang}_{country.upper()}")
        except (UnknownLocaleError, ValueError):
            pass
    return Locale.parse(lang)


class Formatter:
    """Money, dates and lists in one language and country."""

    def __init__(self, lang: str, country: str = "") -> None:
        self.lang = language_of(lang)
        self.locale = babel_locale(self.lang, country)

    def money(self, m: Money) -> str:
        # the currency's ISO 4217 decimals (recoup.money_format); a no-break space for
        # the narrow one of French, as in every message so far
        return format_money(m, self.locale).replace("\u202f", "\u00a0")

    def day(self, d: date) -> str:
        return format_date(d, format="long", locale=self.locale)

    def short_day(self, d: date) -> str:
        return format_date(d, format="medium", locale=self.locale)

    def join(self, items: Sequence[str]) -> str:
        return format_list(list(items), locale=self.locale) if items else ""

    def brief(self, items: Sequence[str]) -> str:
        """At most three of `items`, then how many more: what a subject line can hold
        (an account with 79 open invoices is not 79 numbers in a subject)."""
        if len(items) <= BRIEF + 1:
            return self.join(items)
        more = len(items) - BRIEF
        return ", ".join(items[:BRIEF]) + MORE.get(self.lang, MORE["en"]).format(more)

    def value(self, v: Any) -> Any:
        """An extra value as a template may see it: formatted, or plain data."""
        if isinstance(v, Money):
            return self.money(v)
        if isinstance(v, date):
            return self.day(v)
        if isinstance(v, Decimal):
            return str(v)
        if isinstance(v, Term):  # a code: its words in the customer's language
            return v.words(self.lang)
        if isinstance(v, Mapping):
            return {str(k): self.value(x) for k, x in v.items()}
        if isinstance(v, (list, tuple)):
            return [self.value(x) for x in v]
        if v is None or isinstance(v, (str, int, bool)):
            return v
        raise TypeError(f"a template cannot be given a {type(v).__name__}")


def template_context(data: MessageData) -> dict[str, Any]:
    """Everything a template may use (documented in recoup/messages/docs.md)."""
    f = Formatter(data.language, data.country)
    b = data.business
    overdue = [i for i in data.items if i.due_date < data.as_of]
    oldest = min((i.due_date for i in data.items), default=data.as_of)
    numbers = [i.number for i in data.items]
    interest = data.interest or Money.zero(data.currency)
    fees = data.fees or Money.zero(data.currency)
    earlier_days = sorted({e.date for e in data.earlier})
    ctx: dict[str, Any] = {
        "lang": f.lang,
        "business": {
            "name": b.name,
            "address": b.address.replace("\n", ", "),
            "phone": b.phone,
            "email": b.email,
            "website": b.website,
            "bank": b.bank or NO_BANK[f.lang],
            "signature": b.signature or b.name,
            "payment_link": b.payment_link,
        },
        "customer": {"name": data.customer_name, "key": data.customer_key},
        "contact": {"name": data.contact_name or data.customer_name, "email": data.contact_email},
        "invoices": [
            {
                "number": i.number,
                "issued": f.day(i.issue_date),
                "due": f.day(i.due_date),
                "amount": f.money(i.amount),
                "open": f.money(i.open),
                "days_overdue": max(0, (data.as_of - i.due_date).days),
            }
            for i in data.items
        ],
        "invoice_count": len(data.items),
        "invoice_numbers": f.join(numbers),
        "invoice_numbers_brief": f.brief(numbers),
        "overdue_count": len(overdue),
        "principal": f.money(data.principal),
        "interest": f.money(interest),
        "fees": f.money(fees),
        "total": f.money(data.total),
        "has_interest": interest.minor != 0,
        "has_fees": fees.minor != 0,
        "oldest_due": f.day(oldest),
        "days_overdue": max(0, (data.as_of - oldest).days),
        "today": f.day(data.as_of),
        "pay_by": f.day(data.due_by),
        "reference": data.customer_key if len(numbers) != 1 else numbers[0],
        "payments": [
            {"date": f.day(p.date), "amount": f.money(p.amount), "reference": p.reference}
            for p in data.payments
        ],
        "opt_out": data.regulation_f,
        "table": TABLE_MARK,
        # what was delivered before in this cycle: a template claims earlier reminders
        # only when there were some
        "earlier": [
            {"date": f.day(e.date), "channel": e.channel, "reminder": e.reminder}
            for e in data.earlier
        ],
        "earlier_count": len(data.earlier),
        "earlier_dates": f.join([f.day(d) for d in earlier_days]),
        "earlier_on": f.join([LABELS[f.lang]["on_day"].format(f.day(d)) for d in earlier_days]),
        "same_due": len({i.due_date for i in data.items}) <= 1,
    }
    for key, value in data.extras.items():
        ctx[key] = f.value(value)
    return ctx


def ledger_figures(data: MessageData) -> tuple[set[int], set[date]]:
    """The amounts (in minor units) and the days the ledger gives this message: the
    tone check compares the figures in a message's text with these."""
    amounts = {data.principal.minor, data.total.minor, _minor(data.interest), _minor(data.fees)}
    days = {data.as_of, data.due_by, *(e.date for e in data.earlier)}
    for i in data.items:
        amounts |= {i.amount.minor, i.open.minor}
        days |= {i.issue_date, i.due_date}
    for p in data.payments:
        amounts.add(p.amount.minor)
        days.add(p.date)

    def walk(v: Any) -> None:
        if isinstance(v, Money):
            amounts.add(v.minor)
        elif isinstance(v, date):
            days.add(v)
        elif isinstance(v, Mapping):
            for x in v.values():
                walk(x)
        elif isinstance(v, (list, tuple)):
            for x in v:
                walk(x)

    walk(dict(data.extras))
    return amounts, days


# --- the itemised table ---------------------------------------------------------------


def table_rows(data: MessageData) -> tuple[list[list[str]], list[tuple[str, str]]]:
    """The invoices (number, issued, due, amount, open) and the summary lines
    (principal, interest and fees when there are any, total)."""
    f = Formatter(data.language, data.country)
    rows = [
        [
            i.number,
            f.short_day(i.issue_date),
            f.short_day(i.due_date),
            f.money(i.amount),
            f.money(i.open),
        ]
        for i in data.items
    ]
    labels = LABELS[data.lang]
    summary = [(labels["principal"], f.money(data.principal))]
    if data.interest is not None and data.interest.minor:
        summary.append((labels["interest"], f.money(data.interest)))
    if data.fees is not None and data.fees.minor:
        summary.append((labels["fees"], f.money(data.fees)))
    summary.append((labels["total"], f.money(data.total)))
    return rows, summary


def table_text(data: MessageData) -> str:
    labels = LABELS[data.lang]
    head = [labels[k] for k in ("invoice", "issued", "due", "amount", "open")]
    rows, summary = table_rows(data)
    widths = [max(len(r[c]) for r in [head, *rows]) for c in range(5)]

    def line(cells: Sequence[str]) -> str:
        left = [cells[c].ljust(widths[c]) for c in range(3)]
        right = [cells[c].rjust(widths[c]) for c in range(3, 5)]
        return "  ".join(left + right).rstrip()

    out = [line(head), *(line(r) for r in rows)]
    full = len(out[0])
    out.append("-" * full)
    label_w = max(len(lab) for lab, _ in summary)
    value_w = max(len(v) for _, v in summary)
    for lab, value in summary:
        out.append(f"{lab.ljust(label_w)}  {value.rjust(value_w)}".rjust(full))
    return "\n".join(out) + "\n"


def table_html(data: MessageData) -> Markup:
    labels = LABELS[data.lang]
    rows, summary = table_rows(data)
    th = Markup("").join(
        Markup('<th style="text-align:{}">{}</th>').format(
            "right" if k in ("amount", "open") else "left", labels[k]
        )
        for k in ("invoice", "issued", "due", "amount", "open")
    )
    body = Markup("").join(
        Markup(
            "<tr><td>{}</td><td>{}</td><td>{}</td>"
            '<td class="num">{}</td><td class="num">{}</td></tr>'
        ).format(*r)
        for r in rows
    )
    foot = Markup("").join(
        Markup('<tr class="{}"><td colspan="4">{}</td><td class="num">{}</td></tr>').format(
            "total" if i == len(summary) - 1 else "part", lab, value
        )
        for i, (lab, value) in enumerate(summary)
    )
    return Markup(
        '<table class="items"><thead><tr>{}</tr></thead><tbody>{}</tbody><tfoot>{}</tfoot></table>'
    ).format(th, body, foot)


# --- sample data: previews without an account, golden files, the tone check ------------


def sample(language: str = "en", as_of: date = date(2026, 3, 16)) -> MessageData:
    """A fixed account: two overdue invoices, interest and a fee, every event's data."""
    cur = "EUR" if language in ("de", "fr") else "USD"

    def m(amount: str) -> Money:
        return Money.of(amount, cur)

    country = {"de": "DE", "fr": "FR"}.get(language, "US")
    business = Business(
        name="Lindqvist Design Studio",
        address="Hafenstraße 12\n20457 Hamburg\nGermany"
        if language == "de"
        else "12 Rue des Tanneurs\n69002 Lyon\nFrance"
        if language == "fr"
        else "410 Maple Avenue\nPortland, OR 97204\nUSA",
        phone="+49 40 1234 5678"
        if language == "de"
        else "+33 4 72 00 00 00"
        if language == "fr"
        else "+1 503 555 0142",
        email="accounts@lindqvist.example",
        website="https://lindqvist.example",
        bank="IBAN FR76 3000 6000 0112 3456 7890 189 · BIC AGRIFRPP"
        if language == "fr"
        else "IBAN DE89 3704 0044 0532 0130 00 · BIC COBADEFFXXX",
        signature="Maja Lindqvist",
        payment_link="https://pay.lindqvist.example/C1042",
        country=country,
    )
    items = (
        Item("INV-2026-014", date(2026, 1, 5), date(2026, 2, 4), m("1200.00"), m("1200.00")),
        Item("INV-2026-031", date(2026, 1, 20), date(2026, 2, 19), m("480.50"), m("230.50")),
    )
    extras = {
        "promise": {"amount": m("700.00"), "date": date(2026, 3, 27)},
        "plan": {
            "count": 3,
            "total": m("1447.90"),
            "installments": [
                {"number": 1, "due": date(2026, 4, 1), "amount": m("482.64")},
                {"number": 2, "due": date(2026, 5, 1), "amount": m("482.63")},
                {"number": 3, "due": date(2026, 6, 1), "amount": m("482.63")},
            ],
        },
        "installment": {
            "number": 2,
            "due": date(2026, 5, 1),
            "amount": m("482.63"),
            "remaining": 2,
        },
        "settlement": {
            "amount": m("1100.00"),
            "deadline": date(2026, 4, 10),
            "waived": m("345.50"),
        },
        "dispute": {
            "invoice": "INV-2026-031",
            "received": date(2026, 3, 12),
            "reason": "the second set of drawings was not delivered",
        },
    }
    return MessageData(
        language=language,
        country=country,
        customer_key="C1042",
        customer_name={"de": "Bäckerei Sonnenschein GmbH", "fr": "Atelier Marchand SARL"}.get(
            language, "Harbor Light Coffee LLC"
        ),
        contact_name={"de": "Jana Köhler", "fr": "Élodie Marchand"}.get(language, "Sam Ortega"),
        contact_email="ap@customer.example",
        address={
            "de": "Bäckerei Sonnenschein GmbH\nJana Köhler\nLindenallee 7\n50667 Köln",
            "fr": "Atelier Marchand SARL\nÉlodie Marchand\n8 Place Bellecour\n69002 Lyon",
        }.get(language, "Harbor Light Coffee LLC\nSam Ortega\n77 Pine Street\nSeattle, WA 98101"),
        currency=cur,
        items=items,
        as_of=as_of,
        business=business,
        interest=m("12.40"),
        fees=m("5.00"),
        payments=(PaymentItem(date(2026, 2, 25), m("250.00"), "INV-2026-031"),),
        extras=extras,
    )
