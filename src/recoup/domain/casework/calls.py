"""Calls and visits: their outcomes, and a suggested script from the account's situation.

The script follows the collection guides: calm, polite, never personal; say who you
are and why you call; state the amount and the oldest invoice; listen for the reason;
ask for payment in full first, then offer only what the plan's authority allows
(a payment plan within its limits, a settlement no lower than its floor); agree a
firm date and confirm it in writing. What to stress depends on the kind of payer.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum

from recoup.domain.casework.errors import CaseworkError
from recoup.domain.money import Money
from recoup.domain.priority import PayerKind
from recoup.domain.words import plural, term


class Outcome(StrEnum):
    NO_ANSWER = "no_answer"
    LEFT_MESSAGE = "left_message"
    PROMISE = "promise"  # spoke: promised to pay
    DISPUTE = "dispute"  # spoke: disputes the invoice
    HARDSHIP = "hardship"  # spoke: cannot pay now (hardship)
    REFUSED = "refused"  # spoke: refuses to pay
    STOP_CALLING = "stop_calling"  # spoke: asked us to stop contacting them
    WRONG_NUMBER = "wrong_number"
    SPOKE = "spoke"  # spoke, nothing of the above


OUTCOME_WORDS: dict[Outcome, str] = {o: term("outcome", o) for o in Outcome}  # words.py

REACHED = frozenset(
    {
        Outcome.PROMISE,
        Outcome.DISPUTE,
        Outcome.HARDSHIP,
        Outcome.REFUSED,
        Outcome.STOP_CALLING,
        Outcome.SPOKE,
    }
)
"""Outcomes in which the customer was reached (a response, for escalation rules)."""


def parse_outcome(text: str) -> Outcome:
    try:
        return Outcome(text.strip().lower().replace("-", "_"))
    except ValueError:
        known = ", ".join(o.value for o in Outcome)
        raise CaseworkError(f"unknown call outcome {text!r}; choose one of {known}") from None


@dataclass(frozen=True, slots=True)
class Situation:
    """What the script needs to know about the account."""

    name: str
    balance: Money
    overdue: Money
    days_past_due: int
    oldest_invoice: str | None = None
    kind: PayerKind = PayerKind.UNKNOWN
    broken_promises: int = 0
    open_promise: tuple[Money, date] | None = None
    plan_status: str | None = None  # current | defaulted | None
    disputes_open: int = 0
    lowest_settlement: Money | None = None  # the policy's floor (None: no authority)
    max_installments: int = 0  # 0: no plan fits the limits
    min_installment: Money | None = None
    time_barred: bool = False
    placed_with_agency: bool = False


@dataclass(frozen=True, slots=True)
class Script:
    opening: str
    points: tuple[str, ...]
    may_offer: tuple[str, ...] = field(default=())
    avoid: tuple[str, ...] = field(default=())

    def lines(self) -> list[str]:
        out = [self.opening, *self.points]
        out += [f"You may offer: {o}" for o in self.may_offer]
        out += [f"Avoid: {a}" for a in self.avoid]
        return out


def script(s: Situation) -> Script:
    """A suggested call script for the account's situation and kind of payer."""
    opening = (
        f"Hello, this is [your name] from [your business]. May I speak with the person who "
        f"looks after payments for {s.name}? I'm calling about the account: {s.overdue} is "
        f"overdue"
        + (
            f", the oldest invoice {s.oldest_invoice} {s.days_past_due} days past due."
            if s.oldest_invoice
            else "."
        )
    )
    points: list[str] = []
    offer: list[str] = []
    avoid = [
        "threats, anger or anything personal; stay calm and polite",
        "calling again before the contact rules allow",
    ]
    if s.placed_with_agency:
        return Script(
            "Do not call: the account is with a collection agency. Recall it first.",
            (),
            (),
            ("any contact with the customer while the agency holds the account",),
        )
    if s.disputes_open:
        points.append(
            plural(s.disputes_open, "A dispute is open", "{n} disputes are open")
            + ": talk about resolving it; do not press for the disputed part"
        )
    if s.open_promise is not None:
        amount, day = s.open_promise
        points.append(f"Remind them kindly of the promise of {amount} by {day.isoformat()}.")
    if s.broken_promises:
        points.append(
            plural(s.broken_promises, "A promise was broken", "{n} promises were broken")
            + ": ask what happened, then agree a smaller amount on a firm, near date, and "
            "confirm it in writing."
        )
    if s.plan_status == "current":
        points.append("A payment plan is running: thank them, confirm the next installment.")
    elif s.plan_status == "defaulted":
        points.append("The payment plan is in default: ask why, and for the missed installment.")
    kind_points = {
        PayerKind.RELIABLE: "They usually pay on time: it is probably an oversight. Ask "
        "whether the invoice arrived and when it will be paid.",
        PayerKind.TROUBLED: "They are a good payer in temporary trouble: listen, show "
        "sympathy, and work out what they can pay and when.",
        PayerKind.JUGGLER: "They juggle many bills: ask for a part payment today and a firm "
        "date for the rest; be the creditor they pay first.",
        PayerKind.EVADER: "They avoid paying: be brief and firm, ask for a date, note every "
        "word, and say calmly what the next step of the plan is.",
        PayerKind.UNKNOWN: "Ask when the payment will be made, and listen for the reason.",
    }
    points.append(kind_points[s.kind])
    points.append("Ask for payment in full first. Note any promise: amount and date.")
    if s.max_installments >= 2 and s.min_installment is not None:
        offer.append(
            f"a payment plan of up to {s.max_installments} installments, none below "
            f"{s.min_installment}"
        )
    if s.lowest_settlement is not None:
        offer.append(
            f"if they cannot pay in full, a settlement of no less than {s.lowest_settlement} "
            f"of the {s.balance} balance, paid by an agreed deadline"
        )
    else:
        offer.append("no settlement without the owner's approval")
    if s.time_barred:
        avoid.append("any mention of court or legal steps: the debt is time-barred")
    else:
        avoid.append("mentioning legal steps that are not really planned")
    points.append("Close by repeating what was agreed, and send it in writing.")
    return Script(opening, tuple(points), tuple(offer), tuple(avoid))
