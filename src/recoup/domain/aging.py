"""Days past due and aging buckets.

An invoice is open at an as-of date when it was issued on or before that date and the
allocations dated on or before it do not cover it. Its days past due are the days from
its due date to the as-of date (zero or negative while not yet due).
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from recoup.domain.money import Money


@dataclass(frozen=True, slots=True)
class Bucket:
    """Invoices whose days past due lie in [low, high]; None means unbounded."""

    label: str
    low: int | None
    high: int | None

    def holds(self, days_past_due: int) -> bool:
        if self.low is not None and days_past_due < self.low:
            return False
        return self.high is None or days_past_due <= self.high


class BucketSpecError(ValueError):
    """A bucket specification that cannot be read."""


def buckets_from_limits(limits: Sequence[int]) -> tuple[Bucket, ...]:
    """Buckets `current` (<= 0), then 1-L1, L1+1-L2, ..., and `over-Ln`.

    `limits` are strictly increasing positive day counts, e.g. (30, 60, 90, 120).
    """
    if not limits:
        raise BucketSpecError("at least one bucket limit is needed")
    if any(x <= 0 for x in limits):
        raise BucketSpecError("bucket limits must be positive day counts")
    if any(b <= a for a, b in itertools.pairwise(limits)):
        raise BucketSpecError("bucket limits must increase")
    buckets = [Bucket("current", None, 0)]
    low = 1
    for high in limits:
        buckets.append(Bucket(f"{low}-{high}", low, high))
        low = high + 1
    buckets.append(Bucket(f"over-{limits[-1]}", limits[-1] + 1, None))
    return tuple(buckets)


def parse_buckets(spec: str) -> tuple[Bucket, ...]:
    """Buckets from a comma-separated list of limits, e.g. "30,60,90,120"."""
    try:
        limits = [int(part) for part in spec.split(",") if part.strip()]
    except ValueError:
        raise BucketSpecError(
            f"bucket limits must be whole numbers of days, e.g. 30,60,90: {spec!r}"
        ) from None
    return buckets_from_limits(limits)


DEFAULT_BUCKETS = buckets_from_limits((30, 60, 90, 120))


def days_past_due(due_date: date, as_of: date) -> int:
    return (as_of - due_date).days


def bucket_index(buckets: Sequence[Bucket], dpd: int) -> int:
    for i, bucket in enumerate(buckets):
        if bucket.holds(dpd):
            return i
    raise ValueError(f"no bucket holds {dpd} days past due")  # pragma: no cover


def due_date_bounds(buckets: Sequence[Bucket], as_of: date) -> list[date | None]:
    """For each bucket, the earliest due date that still falls in it (None: no limit).

    Buckets are contiguous and ordered from newest to oldest debt, so an invoice falls
    in the first bucket whose bound its due date reaches; this lets a store classify
    with plain date comparisons.
    """
    bounds: list[date | None] = []
    for bucket in buckets:
        if bucket.high is None:
            bounds.append(None)
        else:
            bounds.append(as_of - timedelta(days=bucket.high))
    return bounds


@dataclass(frozen=True, slots=True)
class BucketTotal:
    bucket: Bucket
    amount: Money
    count: int


@dataclass(frozen=True, slots=True)
class OpenItem:
    """An invoice's open amount at some date, with its due date."""

    number: str
    due_date: date
    open: Money


def age(
    items: Iterable[OpenItem],
    as_of: date,
    currency: str,
    buckets: Sequence[Bucket] = DEFAULT_BUCKETS,
) -> list[BucketTotal]:
    """Totals per bucket of the open items (all of `currency`)."""
    amounts = [0] * len(buckets)
    counts = [0] * len(buckets)
    for item in items:
        if item.open.currency != currency:
            raise ValueError(f"{item.number}: {item.open.currency} in a {currency} aging")
        if item.open.minor <= 0:
            continue
        i = bucket_index(buckets, days_past_due(item.due_date, as_of))
        amounts[i] += item.open.minor
        counts[i] += 1
    return [BucketTotal(b, Money(amounts[i], currency), counts[i]) for i, b in enumerate(buckets)]
