"""The settlement helper: what each way of ending this account is likely to bring in.

For one account (a balance in one currency), `compare` sets five options side by side,
each with its figures in words, so the collector sees *why*:

1. **Keep collecting in-house**: the balance times the chance of collecting it.
2. **Settle at X%**: X% of the balance (the offer, or the policy's floor), paid for
   sure once accepted; the rest is given up.
3. **Agency**: the agency keeps a contingency fee of 25–50% of what it recovers
   (both ends are shown); it recovers with the same chance.
4. **Small claims**: whether the balance fits the jurisdiction's small-claims limit
   (`recoup/jurisdictions/data/small_claims.csv`, from the project's reference), the
   court fee (given by the user: court fees are not in the reference data), and the
   balance times the chance of collecting a judgment.
5. **Write off**: nothing comes in; the tax part of the balance can be reclaimed.

**The chance of collecting** is an estimate, not a promise, and the figures say how it
was made: it starts from how old the debt is (`COLLECTABILITY`, a rule of thumb that
collections guides quote: the longer a debt is outstanding, the less of it is ever
collected) and is moved by the kind of payer and by broken promises
(`KIND_ADJUSTMENT`, `BROKEN_PROMISE_ADJUSTMENT`). A time-barred debt cannot be taken
to court; the other options stay open.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from recoup.domain.money import Money
from recoup.domain.priority import PayerKind
from recoup.domain.words import count, term

HUNDRED = Decimal(100)

COLLECTABILITY: tuple[tuple[int, Decimal], ...] = (
    (0, Decimal(95)),
    (31, Decimal(90)),
    (61, Decimal(85)),
    (91, Decimal(75)),
    (181, Decimal(55)),
    (366, Decimal(30)),
    (731, Decimal(15)),
)
"""(from days past due, percent likely to be collected): a rule of thumb, not data."""

KIND_ADJUSTMENT: dict[PayerKind, Decimal] = {
    PayerKind.RELIABLE: Decimal(10),
    PayerKind.TROUBLED: Decimal(0),
    PayerKind.JUGGLER: Decimal(-5),
    PayerKind.EVADER: Decimal(-25),
    PayerKind.UNKNOWN: Decimal(0),
}
"""Points added to the chance for the kind of payer."""

BROKEN_PROMISE_ADJUSTMENT = Decimal(-10)  # points per broken promise, at most three
COURT_ADJUSTMENT = Decimal(10)  # a judgment makes a payer who can pay more likely to
AGENCY_FEES = (Decimal(25), Decimal(50))  # the usual contingency range, in percent


@dataclass(frozen=True, slots=True)
class SmallClaimsLimit:
    code: str  # GB, GB-SCT, US-CA ...
    limit: Money | None  # None: the sources conflict, no limit is known
    currency: str
    source: str
    status: str
    notes: str = ""
    court: str = ""  # e.g. "England & Wales small claims track"


@dataclass(frozen=True, slots=True)
class CompareInput:
    balance: Money
    days_past_due: int
    kind: PayerKind = PayerKind.UNKNOWN
    broken_promises: int = 0
    settle_percent: Decimal | None = None  # the offer or the policy's floor; None: 50
    settle_basis: str = ""  # where settle_percent comes from, in words
    small_claims: SmallClaimsLimit | None = None
    jurisdiction: str = ""  # the code looked up for small claims
    court_fee: Money | None = None  # None: not known (check the court's fee)
    tax_part: Money | None = None  # the tax in the balance (reclaimable on a write-off)
    time_barred: bool = False


@dataclass(frozen=True, slots=True)
class Option:
    key: str  # in_house | settle | agency | small_claims | write_off
    title: str
    expected: Money  # what it is likely to bring in, after its costs
    low: Money  # the least it could bring in (the high-fee end, for an agency)
    available: bool
    figures: tuple[tuple[str, str], ...] = field(default=())
    notes: tuple[str, ...] = field(default=())


@dataclass(frozen=True, slots=True)
class Comparison:
    balance: Money
    chance_percent: Decimal
    chance_basis: tuple[str, ...]
    options: tuple[Option, ...]

    @property
    def best(self) -> Option:
        """The available option expected to bring in the most (in-house wins ties)."""
        return max((o for o in self.options if o.available), key=lambda o: o.expected.minor)


def _pct(value: Money, percent: Decimal) -> Money:
    return Money.round(value.amount * percent / HUNDRED, value.currency)


def chance(item: CompareInput) -> tuple[Decimal, tuple[str, ...]]:
    """The estimated percent likely to be collected, and how it was reached."""
    base = COLLECTABILITY[0][1]
    since = 0
    for from_days, percent in COLLECTABILITY:
        if item.days_past_due >= from_days:
            base, since = percent, from_days
    why = [f"{base}% is usually collected of a debt {since}+ days past due (rule of thumb)"]
    value = base
    adjust = KIND_ADJUSTMENT.get(item.kind, Decimal(0))
    if adjust:
        value += adjust
        why.append(f"{adjust:+}% for the kind of payer ({term('category', item.kind)})")
    if item.broken_promises:
        broken = BROKEN_PROMISE_ADJUSTMENT * min(3, item.broken_promises)
        value += broken
        why.append(f"{broken:+}% for {count(item.broken_promises, 'broken promise')}")
    value = max(Decimal(5), min(Decimal(98), value))
    why.append(f"estimated chance of collecting: {value}%")
    return value, tuple(why)


def compare(item: CompareInput) -> Comparison:
    balance = item.balance
    cur = balance.currency
    zero = Money.zero(cur)
    p, why = chance(item)
    in_house = _pct(balance, p)
    options: list[Option] = [
        Option(
            "in_house",
            "Keep collecting in-house",
            in_house,
            zero,
            True,
            (("balance", str(balance)), ("chance", f"{p}%"), ("expected", str(in_house))),
            ("costs your time: calls, letters, follow-ups",),
        )
    ]
    settle_pct = item.settle_percent if item.settle_percent is not None else Decimal(50)
    settled = _pct(balance, settle_pct)
    options.append(
        Option(
            "settle",
            f"Settle at {settle_pct.normalize():f}%",
            settled,
            settled,
            True,
            (
                ("settlement", str(settled)),
                ("given up", str(balance - settled)),
                ("basis", item.settle_basis or "an example at 50%"),
            ),
            ("certain once paid; the rest is written off with the reason 'settlement'",),
        )
    )
    low_fee, high_fee = AGENCY_FEES
    recovered = in_house
    agency_best = recovered - _pct(recovered, low_fee)
    agency_worst = recovered - _pct(recovered, high_fee)
    options.append(
        Option(
            "agency",
            "Hand to a collection agency",
            agency_best,
            agency_worst,
            True,
            (
                ("likely recovered", str(recovered)),
                (f"fee at {low_fee}%", str(_pct(recovered, low_fee))),
                (f"fee at {high_fee}%", str(_pct(recovered, high_fee))),
                ("you keep", f"{agency_worst} to {agency_best}"),
            ),
            ("your own contact stops while the agency holds the account",),
        )
    )
    options.append(_small_claims(item, p))
    tax = item.tax_part or zero
    options.append(
        Option(
            "write_off",
            "Write off",
            tax,
            tax,
            True,
            (("written off", str(balance)), ("tax part reclaimable", str(tax))),
            (
                "nothing comes in; the tax part of a bad debt can usually be reclaimed; a later "
                "payment reverses the write-off",
            ),
        )
    )
    return Comparison(balance, p, why, tuple(options))


def _small_claims(item: CompareInput, p: Decimal) -> Option:
    balance = item.balance
    cur = balance.currency
    zero = Money.zero(cur)
    limit = item.small_claims
    notes: list[str] = []
    figures: list[tuple[str, str]] = []
    if item.time_barred:
        return Option(
            "small_claims",
            "Small claims court",
            zero,
            zero,
            False,
            (("balance", str(balance)),),
            ("the debt is time-barred: do not sue or threaten to",),
        )
    if limit is None or limit.limit is None or limit.currency != cur:
        where = item.jurisdiction or "this customer's country"
        why = f"no small-claims limit known for {where}"
        if limit is not None and limit.limit is None:
            why = f"the sources for {limit.code} disagree on the limit ({limit.notes})"
        elif limit is not None and limit.limit is not None:
            # no exchange rates in Recoup: the owner compares at the day's rate
            why = (
                f"the small-claims limit for {limit.code} is {limit.limit} ({limit.source}); "
                f"this balance is in {cur}: convert it at the day's rate to see whether it fits"
            )
        return Option(
            "small_claims",
            "Small claims court",
            zero,
            zero,
            False,
            (("balance", str(balance)),),
            (why,),
        )
    fits = balance <= limit.limit
    figures.append(("limit", f"{limit.limit} ({limit.code}, {limit.status}, {limit.source})"))
    figures.append(("fits", "yes" if fits else "no"))
    claim = balance if fits else limit.limit
    if not fits:
        notes.append(
            f"the balance is above the limit: claim {limit.limit} and give up the rest, "
            "or use the ordinary court"
        )
    court_p = min(Decimal(98), p + COURT_ADJUSTMENT)
    gross = _pct(claim, court_p)
    figures.append(("claim", str(claim)))
    figures.append(("chance with a judgment", f"{court_p}%"))
    if item.court_fee is None:
        fee = zero
        figures.append(("court fee", "not known: check the court's fee"))
        notes.append("court fees are not in Recoup's data; enter the fee to see the net figure")
    else:
        fee = item.court_fee
        figures.append(("court fee", str(fee)))
    expected = gross - fee
    figures.append(("expected after the fee", str(expected)))
    if limit.notes:
        notes.append(limit.notes)
    notes.append("check the court's own site before filing")
    return Option(
        "small_claims",
        "Small claims court",
        expected,
        zero - fee,
        True,
        tuple(figures),
        tuple(notes),
    )


def round_percent(value: Decimal) -> Decimal:
    return value.quantize(Decimal("0.01"), ROUND_HALF_UP)
