"""Payment terms text to net days (`recoup.imports.einvoice.terms`): only where the text
leaves no doubt; a discount's period, a choice or a range of days, or no days at all
give none (the due date must then come from the document or --terms)."""

from __future__ import annotations

import pytest

from recoup.imports.einvoice.terms import net_days


@pytest.mark.parametrize(
    ("text", "days"),
    [
        ("30 days net", 30),
        ("Net 30", 30),
        ("Payment within 30 days", 30),
        ("14 Tage", 14),
        ("2% if paid within 10 days, 30 days net", 30),
        (
            "Zahlbar innerhalb 30 Tagen netto bis 04.04.2018, 3% Skonto innerhalb 10 Tagen "
            "bis 15.03.2018",
            30,
        ),
        ("Payment within 10 days, 2% discount", None),
        ("Due on receipt", None),
        ("Zahlbar sofort ohne Abzug", None),
        ("within 30 or 60 days", None),
        ("30-60 Tage netto", None),
        ("payable in 400 days", None),
        ("#SKONTO#TAGE=14#PROZENT=2.00#", None),
    ],
)
def test_net_days(text: str, days: int | None) -> None:
    assert net_days(text) == days
