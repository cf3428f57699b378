"""How much a collector may take off what a customer owes without the owner.

The policy's `[authority.collector]` table gives a limit per kind of reduction: credit
notes (a dispute resolved by credit note or upheld) and write-offs. A limit is an
amount (`*_up_to`) and a percentage (`*_percent`) of what the reduction is taken from
(the invoice for a credit note, the account's balance for a write-off); each one given
must hold. A kind with neither gives a collector no authority for it: every such
reduction waits for an owner. Settlements follow the settlement floors instead
(`recoup.domain.policy.Authority.settlement`).

Pure values; `recoup.domain.casework.authority` is the rule that uses them.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING

from recoup.domain.money import Money

if TYPE_CHECKING:  # recoup.domain.policy imports this module
    from recoup.domain.policy import PolicyAmount

HUNDRED = Decimal(100)


@dataclass(frozen=True, slots=True)
class AmountLimit:
    """At most `up_to`, and at most `percent` of what it is taken from.

    Neither given: no authority at all (everything waits for the owner)."""

    up_to: PolicyAmount | None = None
    percent: Decimal | None = None

    @property
    def grants_nothing(self) -> bool:
        return self.up_to is None and self.percent is None

    def beyond(self, amount: Money, base: Money) -> str | None:
        """Why taking `amount` off `base` is beyond this limit; None when within it."""
        if self.grants_nothing:
            return "the policy gives a collector no authority for it"
        reasons: list[str] = []
        if self.up_to is not None:
            if not self.up_to.applies_to(amount.currency):
                reasons.append(f"the limit of {self.up_to} is not for {amount.currency}")
            else:
                cap = self.up_to.in_currency(amount.currency)
                if amount > cap:
                    reasons.append(f"{amount} is more than the {cap} a collector may take off")
        if self.percent is not None and Decimal(amount.minor) * HUNDRED > (
            self.percent * Decimal(base.minor)
        ):
            reasons.append(f"{amount} is more than {self.percent}% of {base}")
        return "; ".join(reasons) or None

    def describe(self) -> str:
        if self.grants_nothing:
            return "nothing"
        parts = []
        if self.up_to is not None:
            parts.append(f"up to {self.up_to}")
        if self.percent is not None:
            parts.append(f"at most {self.percent}%")
        return " and ".join(parts)


@dataclass(frozen=True, slots=True)
class CollectorLimits:
    """What a collector may take off without the owner, per kind of reduction (the
    policy's built-in limits are in `recoup.domain.policy.Authority`)."""

    credit: AmountLimit = AmountLimit()
    write_off: AmountLimit = AmountLimit()
