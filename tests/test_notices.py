"""Case work in writing: a promise, a plan (and a reminder before each installment), a
settlement offer and a dispute each send the customer a notice through the outbox, in
the customer's language, delivered to a real SMTP server on loopback."""

from __future__ import annotations

from datetime import datetime, timedelta

from recoup.services import daily_run, dispatch, history
from recoup.services.book import Book
from recoup.services.casework import disputes, plans, promises, settlements
from tests.test_dispatch import NOW, RUN_ON, load, settings_for, smtp  # noqa: F401 - the fixture

ON = RUN_ON + timedelta(days=1)


def _sent(recorder, settings, book: Book, at: datetime):
    before = len(recorder.messages)
    dispatch.dispatch(book, now=at, settings=settings)  # C4 has no email address: it fails
    return recorder.parsed()[before:]


def _text(message) -> str:
    return message.get_body(preferencelist=("plain",)).get_content()


def test_case_work_notices_are_delivered_in_the_customers_language(book: Book, tmp_path, smtp):  # noqa: F811
    recorder, url = smtp
    settings = settings_for(url, tmp_path)
    load(book, tmp_path)
    _sent(recorder, settings, book, NOW)  # the run's reminders go first

    promises.add_promise(book, "C1", "200.00", ON + timedelta(days=10), actor="ann", on=ON)
    disputes.open_dispute(book, "C2", "B-201", "quality", actor="ann", on=ON, text="Torte fehlte")
    plan = plans.create_plan(
        book, "C3", 3, ON + timedelta(days=5), actor="ann", on=ON, every_days=30
    )
    assert plan.status == "current"
    offer = settlements.offer(book, "C2", "1180.00", ON + timedelta(days=14), actor="ann", on=ON)
    assert offer.status == "offered"
    later = NOW + timedelta(days=1)
    got = _sent(recorder, settings, book, later)
    by_to = {}
    for m in got:
        by_to.setdefault(str(m["To"]), []).append(m)

    c1 = by_to.pop(next(k for k in by_to if "sam@harbor.example" in k))
    assert len(c1) == 1
    body = _text(c1[0])
    assert "200.00" in body
    assert "11/13/26" in body or "November 13, 2026" in body or "Nov 13, 2026" in body, body

    c2 = by_to.pop(next(k for k in by_to if "jana@baeckerei.example" in k))
    assert len(c2) == 2  # the dispute's acknowledgement and the settlement offer
    bodies = " ".join(_text(m) for m in c2)
    assert "B-201" in bodies
    assert "1.180,00" in bodies  # German figures
    assert all(m["Content-Language"] == "de" for m in c2)

    c3 = by_to.pop(next(k for k in by_to if "elodie@atelier.example" in k))
    assert len(c3) == 1
    assert c3[0]["Content-Language"] == "fr"
    assert "100,00" in _text(c3[0])  # 300.00 in three installments, French figures

    # three days before the first installment, a reminder; once only
    first_due = ON + timedelta(days=5)
    daily_run.run(book, first_due - timedelta(days=3))
    daily_run.run(book, first_due - timedelta(days=2))
    # delivered on Friday 6 November (Saturday the 7th is not a contact day)
    reminders = _sent(recorder, settings, book, later + timedelta(days=2))
    to_c3 = [m for m in reminders if "elodie@atelier.example" in str(m["To"])]
    assert len(to_c3) == 1, [m["Subject"] for m in reminders]
    assert "100,00" in _text(to_c3[0])

    # each notice has its entry in the history, and a copy once delivered
    kinds = [e.kind for e in history.entries(book, "C3")]
    assert kinds.count("email") >= 2
    assert "message_sent" in kinds
