"""The kinds of things Recoup records, as enums: what the daily run decides (`ActionKind`),
the entries of an account's history (`EntryKind`) with the group each belongs to
(`EntryGroup`: what the account page's timeline filters by), and the states of a
message in the outbox (`OutboxState`).

Each list lives here only: the history refuses a kind that is not an `EntryKind`, the
web's filter groups and the CLI's help are made from these enums, and the words for
each code are in `recoup.domain.vocabulary` (a test holds every member to having them).
The members are `StrEnum`s, so they are stored, compared and written as their values.
"""

from __future__ import annotations

from enum import StrEnum


class ActionKind(StrEnum):
    """What the daily run decides for an account."""

    EMAIL = "email"
    LETTER = "letter"
    CALL = "call"
    FEE = "fee"
    INTEREST = "interest"
    ESCALATE = "escalate"
    WRITE_OFF_RECOMMENDATION = "write_off_recommendation"


class OutboxState(StrEnum):
    """A message on its way: waiting, being delivered (under a lease), delivered, given
    up on after its attempts, or withdrawn because the book no longer supports it."""

    PENDING = "pending"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"
    WITHDRAWN = "withdrawn"


class EntryGroup(StrEnum):
    """The groups of history entries the account page's timeline filters by, in its
    order."""

    CONTACTS = "contacts"
    PROMISES = "promises"
    SETTLEMENTS = "settlements"
    DISPUTES = "disputes"
    MONEY = "money"
    PLAN = "plan"
    HANDOFF = "handoff"
    CORRECTIONS = "corrections"


class EntryKind(StrEnum):
    """The kinds of entry in an account's history (other kinds are refused, so that
    filters and reports can rely on them). Add a kind here, with its group and its
    words, before writing it."""

    IMPORT = "import"  # invoices, credit notes or payments arrived from a file
    PAYMENT = "payment"
    EMAIL = "email"  # a message put in the outbox / delivered
    LETTER = "letter"
    MESSAGE_SENT = "message_sent"
    MESSAGE_FAILED = "message_failed"  # not delivered (or no longer needed: data says which)
    MESSAGE_WITHDRAWN = "message_withdrawn"  # delivery found the book no longer supports it
    CALL = "call"
    VISIT = "visit"
    NOTE = "note"
    PROMISE = "promise"
    PROMISE_KEPT = "promise_kept"
    PROMISE_BROKEN = "promise_broken"
    PLAN = "plan"
    PLAN_INSTALLMENT = "plan_installment"
    PLAN_DEFAULT = "plan_default"
    PLAN_COMPLETED = "plan_completed"
    SETTLEMENT_OFFER = "settlement_offer"
    SETTLEMENT_APPROVED = "settlement_approved"
    SETTLEMENT_ACCEPTED = "settlement_accepted"
    SETTLEMENT_PAID = "settlement_paid"
    SETTLEMENT_LAPSED = "settlement_lapsed"  # an offer or an accepted settlement not paid
    SETTLEMENT_REFUSED = "settlement_refused"  # the owner refused an offer outside authority
    DISPUTE = "dispute"
    DISPUTE_RESOLVED = "dispute_resolved"
    CREDIT_REQUESTED = "credit_requested"  # a credit note beyond authority waits for an owner
    FEE = "fee"
    INTEREST = "interest"
    STAGE = "stage"  # the plan moved on (a reminder stage reached)
    ESCALATE = "escalate"
    WRITE_OFF_RECOMMENDATION = "write_off_recommendation"
    HANDOFF = "handoff"
    AGENCY_RECOVERY = "agency_recovery"
    RECALL = "recall"
    WRITE_OFF = "write_off"
    WRITE_OFF_REQUESTED = "write_off_requested"  # waits for an owner's approval
    WRITE_OFF_REVERSED = "write_off_reversed"
    HOLD = "hold"
    OVERRIDE = "override"  # a manual action that broke a contact rule, with its reason
    CORRECTION = "correction"

    @property
    def group(self) -> EntryGroup:
        return GROUP_OF[self]


_E, _G = EntryKind, EntryGroup
_GROUPS: dict[EntryGroup, tuple[EntryKind, ...]] = {
    _G.CONTACTS: (_E.EMAIL, _E.LETTER, _E.MESSAGE_SENT, _E.MESSAGE_FAILED,
                  _E.MESSAGE_WITHDRAWN, _E.CALL, _E.VISIT, _E.NOTE),
    _G.PROMISES: (_E.PROMISE, _E.PROMISE_KEPT, _E.PROMISE_BROKEN, _E.PLAN,
                  _E.PLAN_INSTALLMENT, _E.PLAN_DEFAULT, _E.PLAN_COMPLETED),
    _G.SETTLEMENTS: (_E.SETTLEMENT_OFFER, _E.SETTLEMENT_APPROVED, _E.SETTLEMENT_ACCEPTED,
                     _E.SETTLEMENT_PAID, _E.SETTLEMENT_LAPSED, _E.SETTLEMENT_REFUSED),
    _G.DISPUTES: (_E.DISPUTE, _E.DISPUTE_RESOLVED, _E.CREDIT_REQUESTED, _E.HOLD),
    _G.MONEY: (_E.IMPORT, _E.PAYMENT, _E.FEE, _E.INTEREST),
    _G.PLAN: (_E.STAGE, _E.ESCALATE, _E.WRITE_OFF_RECOMMENDATION, _E.OVERRIDE),
    _G.HANDOFF: (_E.HANDOFF, _E.AGENCY_RECOVERY, _E.RECALL, _E.WRITE_OFF,
                 _E.WRITE_OFF_REQUESTED, _E.WRITE_OFF_REVERSED),
    _G.CORRECTIONS: (_E.CORRECTION,),
}  # fmt: skip
GROUP_OF: dict[EntryKind, EntryGroup] = {k: g for g, kinds in _GROUPS.items() for k in kinds}

# What the case file counts as a contact with the debtor: a message delivered and a
# contact made by hand. The run's "email" and "letter" entries only say that a message
# was queued (`QUEUED`): one that was sent has its "message_sent" entry.
CONTACTS = frozenset({_E.EMAIL, _E.LETTER, _E.MESSAGE_SENT, _E.CALL, _E.VISIT, _E.NOTE})
QUEUED = frozenset({_E.EMAIL, _E.LETTER})


def kinds_in(group: EntryGroup) -> frozenset[EntryKind]:
    return frozenset(_GROUPS[group])
