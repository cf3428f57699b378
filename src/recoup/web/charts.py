"""The geometry of the aging bar chart, drawn as inline SVG by `_aging_chart.html`.

Horizontal positions are percentages of the chart's width and vertical ones are pixels,
so the bars stretch with the screen while the text keeps its size and stays readable.
"""

from __future__ import annotations

from dataclasses import dataclass

from recoup.domain.money import Money
from recoup.i18n import gettext
from recoup.services.reports import CurrencyAging

PLOT_HEIGHT = 150  # px for the tallest bar
TOP = 24  # px above it, for the amount over the tallest bar
BOTTOM = 44  # px below the baseline, for the bucket label and the invoice count
MIN_BAR = 2  # px, so that a small non-zero amount stays visible
BAR_SHARE = 0.64  # of each column's width


@dataclass(frozen=True)
class Bar:
    label: str
    amount: Money
    count: int
    tone: int  # 0 not yet due ... 5 oldest; a CSS class picks the colour
    x: float  # % of the width
    width: float  # % of the width
    center: float  # % of the width
    y: float  # px
    height: float  # px


@dataclass(frozen=True)
class BarChart:
    currency: str
    bars: tuple[Bar, ...]
    baseline: float
    height: int

    @property
    def empty(self) -> bool:
        return not any(b.amount for b in self.bars)

    @property
    def description(self) -> str:
        """A text equivalent of the chart (for screen readers; the table has the figures)."""
        return gettext("Open %(currency)s amounts by days past due") % {"currency": self.currency}


def bucket_label(label: str) -> str:
    """current -> Current, 1-30 -> 1–30, over-120 -> 120+."""
    if label == "current":
        return gettext("Current")
    if label.startswith("over-"):
        return label.removeprefix("over-") + "+"
    return label.replace("-", "–")


def aging_chart(aging: CurrencyAging) -> BarChart:
    buckets = aging.buckets
    n = max(1, len(buckets))
    column = 100 / n
    top = max((b.amount.minor for b in buckets), default=0)
    baseline = TOP + PLOT_HEIGHT
    bars = []
    for i, b in enumerate(buckets):
        minor = max(0, b.amount.minor)
        height = 0.0
        if minor and top > 0:
            height = max(MIN_BAR, round(PLOT_HEIGHT * minor / top, 1))
        tone = 0 if i == 0 else min(5, round(i * 5 / max(1, n - 1)))
        bars.append(
            Bar(
                label=bucket_label(b.label),
                amount=b.amount,
                count=b.count,
                tone=tone,
                x=round(column * i + column * (1 - BAR_SHARE) / 2, 3),
                width=round(column * BAR_SHARE, 3),
                center=round(column * i + column / 2, 3),
                y=baseline - height,
                height=height,
            )
        )
    return BarChart(aging.currency, tuple(bars), baseline, baseline + BOTTOM)
