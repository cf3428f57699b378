"""Plans the tests put in force."""

from __future__ import annotations

from recoup.policy import default_policy_text
from recoup.services.book import Book
from recoup.services.policy import use_policy_text


def by_age(book: Book) -> None:
    """The built-in plan, taken by age (`onboarding = "by_age"`): an account first
    contacted when long overdue gets the stage its age has reached. By default a first
    contact opens gently and the plan climbs by its gaps (tests/test_onboarding.py), so a
    book new to the plan reaches its calls and final notices weeks later."""
    text = default_policy_text().replace('onboarding = "gentle"', 'onboarding = "by_age"')
    assert 'onboarding = "by_age"' in text
    use_policy_text(book, text)
