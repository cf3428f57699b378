"""The matcher: evidence for each candidate, and a decision that applies a payment by
itself only when exactly one candidate is confident by the policy's rules."""

from __future__ import annotations

import re
from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from recoup.domain.matching.book import MatchBook, OpenInvoice
from recoup.domain.matching.evidence import Decision, Evidence, IncomingLine, Kind
from recoup.domain.matching.matcher import match_line
from recoup.domain.matching.references import (
    compact,
    iban_key,
    is_rf,
    make_rf,
    name_key,
    number_keys,
    rf_in_text,
)
from recoup.domain.matching.rules import MatchingRules, Term, matching_issues, parse_rule
from recoup.policy import DEFAULT_POLICY_PATH, default_policy_text
from recoup.policy.matching import MATCHING_KEYS
from recoup.policy.reader import load_policy
from recoup.policy.writer import to_toml

DUE = date(2026, 5, 1)
RULES = MatchingRules()


def inv(number, customer, minor, ref="", due=DUE, currency="EUR"):
    return OpenInvoice(number, customer, minor, currency, due, due - timedelta(30), ref)


NAMES = {"acme": "Acme Trading GmbH", "bolt": "Bolt Ltd", "cora": "Cora Müller"}
BOOK = MatchBook.of(
    [
        inv("INV-2026-000123", "acme", 10000, make_rf("2026000123")),
        inv("INV-2026-000124", "bolt", 10000),
        inv("INV-2026-000125", "acme", 5000),
        inv("INV-2026-000126", "cora", 7700),
        inv("INV-2026-000127", "cora", 2300),
        inv("INV-2026-000128", "cora", 7700),
    ],
    NAMES,
    {"bolt": ["DE89 3704 0044 0532 0130 00"]},
)


def line(minor, text="", name="", iban="", ref="", on=DUE + timedelta(4)):
    return IncomingLine(minor, "EUR", on, name, iban, text, ref)


def kinds(candidate):
    return {e.kind for e in candidate.evidence}


# --- references ---------------------------------------------------------------------


def test_creditor_references_and_their_check():
    assert is_rf("RF18 5390 0754 7034")
    assert is_rf("rf18539007547034")
    assert not is_rf("RF18 5390 0754 7035")
    assert not is_rf("RF19539007547034")
    assert make_rf("5390 0754 7034") == "RF18539007547034"
    assert rf_in_text("Zahlung RF18 5390 0754 7034 danke") == ["RF18539007547034"]


@given(st.text("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ", min_size=1, max_size=21))
def test_every_made_reference_checks_and_every_changed_digit_is_caught(body):
    ref = make_rf(body)
    assert is_rf(ref)
    for i in range(4, len(ref)):
        if ref[i].isdigit():
            wrong = ref[:i] + str((int(ref[i]) + 1) % 10) + ref[i + 1 :]
            assert not is_rf(wrong)
        if i + 1 < len(ref) and ref[i] != ref[i + 1] and ref[i].isdigit() and ref[i + 1].isdigit():
            assert not is_rf(ref[:i] + ref[i + 1] + ref[i] + ref[i + 2 :])


@given(
    st.sampled_from(["INV", "RE", "", "F"]),
    st.integers(2000, 2099),
    st.integers(1, 999_999),
    st.sampled_from(["-", " ", "/", ".", " - ", "#"]),
    st.integers(0, 4),
    st.booleans(),
)
def test_a_number_is_found_however_it_is_written(prefix, year, serial, sep, zeros, lower):
    number = f"{prefix}-{year}-{serial:06d}" if prefix else f"{year}-{serial:06d}"
    written = f"{prefix}{sep}{year}{sep}{'0' * zeros}{serial}"
    if lower:
        written = written.lower()
    book = MatchBook.of([inv(number, "acme", 4200)], NAMES)
    match = match_line(line(4200, f"Payment for {written} thank you", "Acme Trading"), book, RULES)
    assert match.decision is Decision.APPLY
    assert match.candidates[0].invoices == (number,)
    assert set(number_keys(number)) & set(number_keys(written))


@given(st.text(max_size=40))
def test_the_quick_account_key_is_the_plain_one(text):
    assert iban_key(text) == compact(text)


def test_names_compare_without_accents_case_or_legal_form():
    assert name_key("Cora MÜLLER") == name_key("cora muller") == "cora muller"
    assert name_key("ACME Trading GmbH") == "acme trading"


# --- evidence and decisions ----------------------------------------------------------


def test_number_and_exact_amount_apply_with_their_evidence():
    match = match_line(line(10000, "Rechnung INV 2026 123", "ACME TRADING"), BOOK, RULES)
    assert match.decision is Decision.APPLY
    best = match.candidates[0]
    assert best.invoices == ("INV-2026-000123",)
    assert best.amounts == (10000,)
    assert {Kind.NUMBER, Kind.AMOUNT_EXACT, Kind.NAME, Kind.DATE} <= kinds(best)
    words = best.describe("EUR")
    assert "amount exact" in words
    assert "paid 4 days after the due date" in words


def test_a_reference_applies_even_short_by_bank_charges():
    match = match_line(line(9750, ref=make_rf("2026000123")), BOOK, RULES)
    assert match.decision is Decision.APPLY
    best = match.candidates[0]
    assert best.invoices == ("INV-2026-000123",)
    assert best.amounts == (9750,)
    assert "2.50 EUR short (bank charges?)" in best.describe("EUR")


def test_a_reference_whose_check_fails_is_no_evidence():
    bad = "RF00" + make_rf("2026000123")[4:]
    match = match_line(line(9750, ref=bad), BOOK, RULES)
    assert match.decision is not Decision.APPLY


def test_the_amount_alone_asks_when_two_customers_have_it_open():
    match = match_line(line(10000, "thanks"), BOOK, RULES)
    assert match.decision is Decision.ASK
    assert {c.invoices for c in match.candidates} == {("INV-2026-000123",), ("INV-2026-000124",)}


def test_the_payer_tells_two_customers_with_the_same_amount_apart():
    by_name = match_line(line(10000, "", "Acme Trading"), BOOK, RULES)
    by_iban = match_line(line(10000, "", "B. Ltd", "DE89370400440532013000"), BOOK, RULES)
    assert by_name.applied is not None
    assert by_name.applied.invoices == ("INV-2026-000123",)
    assert by_iban.applied is not None
    assert by_iban.applied.invoices == ("INV-2026-000124",)
    assert Kind.IBAN in kinds(by_iban.applied)


def test_two_invoices_of_one_amount_of_one_customer_ask():
    match = match_line(line(7700, "", "Cora Muller"), BOOK, RULES)
    assert match.decision is Decision.ASK
    assert {c.invoices for c in match.candidates} >= {
        ("INV-2026-000126",),
        ("INV-2026-000128",),
    }


def test_a_combined_payment_named_in_the_text():
    match = match_line(line(10000, "INV-2026-000126 + INV-2026-000127"), BOOK, RULES)
    assert match.applied is not None
    assert match.applied.invoices == ("INV-2026-000126", "INV-2026-000127")
    assert match.applied.amounts == (7700, 2300)
    assert Kind.AMOUNT_SUM in kinds(match.applied)


def test_someone_else_paying_with_a_number_and_the_amount_asks():
    # the number and the amount are Cora's invoice, but the payer is Bolt (by name and
    # by the account learned for Bolt): only a reference would say it is for Cora
    by_name = match_line(line(7700, "INV-2026-000126", "Bolt Ltd"), BOOK, RULES)
    by_iban = match_line(line(7700, "INV-2026-000126", "", "DE89370400440532013000"), BOOK, RULES)
    for match in (by_name, by_iban):
        assert match.decision is Decision.ASK
        assert Kind.OTHER_PAYER in kinds(match.candidates[0])


def test_a_combined_payment_found_by_the_payer():
    match = match_line(line(15000, "", "Acme Trading"), BOOK, RULES)
    assert match.applied is not None
    assert match.applied.invoices == ("INV-2026-000123", "INV-2026-000125")


def test_a_part_payment_of_a_named_invoice_applies_what_came():
    match = match_line(line(4000, "INV-2026-000123", "Acme Trading"), BOOK, RULES)
    assert match.applied is not None
    assert match.applied.amounts == (4000,)
    assert "pays part; 60.00 EUR stays open" in match.applied.describe("EUR")


def test_an_overpayment_leaves_the_rest_on_account():
    match = match_line(line(12000, "INV-2026-000124", "Bolt"), BOOK, RULES)
    assert match.applied is not None
    assert match.applied.amounts == (10000,)
    assert "20.00 EUR more than is open (kept on account)" in match.applied.describe("EUR")


def test_a_round_sum_on_account_suggests_the_oldest_invoice_first():
    # a payer's round sum that pays part of any of its invoices: nothing tells which,
    # so the suggestions come as the book applies money, the oldest due first
    dues = {"A-1001": DUE, "A-1002": DUE - timedelta(60), "A-1003": DUE - timedelta(20)}
    book = MatchBook.of([inv(n, "acme", 90000, due=d) for n, d in dues.items()], NAMES)
    match = match_line(line(50000, "on account", "Acme Trading GmbH"), book, RULES)
    assert match.decision is Decision.ASK
    assert [c.invoices for c in match.candidates] == [("A-1002",), ("A-1003",), ("A-1001",)]


def test_one_character_wrong_with_amount_and_payer_applies():
    match = match_line(line(5000, "INV-2026-000152", "Acme Trading"), BOOK, RULES)
    assert match.applied is not None
    assert match.applied.invoices == ("INV-2026-000125",)
    assert Kind.NEAR_NUMBER in kinds(match.applied)


def test_a_number_that_fits_the_amount_against_the_payers_own_invoice_asks():
    # the text names Bolt's invoice (whose amount fits) but the payer is Acme, whose own
    # invoice of that amount is one character away
    match = match_line(line(10000, "INV-2026-000124", "Acme Trading"), BOOK, RULES)
    assert match.decision is Decision.ASK
    assert {c.invoices[0] for c in match.candidates} >= {"INV-2026-000123", "INV-2026-000124"}


def test_a_mistyped_number_that_is_another_customers_invoice():
    # Acme pays its own 50.00 invoice 125 and writes 124, which is Bolt's 100.00 invoice
    match = match_line(line(5000, "INV-2026-000124", "Acme Trading"), BOOK, RULES)
    assert match.applied is not None
    assert match.applied.invoices == ("INV-2026-000125",)


def test_money_out_is_not_a_customer_payment():
    debit = IncomingLine(-10000, "EUR", DUE, "Acme", "", "INV-2026-000123")
    fee = IncomingLine(250, "EUR", DUE, "Bank", "", "charges", is_credit=False)
    assert match_line(debit, BOOK, RULES).decision is Decision.NOT_PAYMENT
    assert match_line(fee, BOOK, RULES).decision is Decision.NOT_PAYMENT


def test_another_currency_is_never_a_candidate():
    usd = IncomingLine(10000, "USD", DUE, "Acme Trading", "", "INV-2026-000123")
    assert match_line(usd, BOOK, RULES).decision is Decision.UNMATCHED


def test_auto_apply_off_asks_for_everything():
    rules = MatchingRules(auto_apply=False)
    match = match_line(line(10000, ref=make_rf("2026000123")), BOOK, rules)
    assert match.decision is Decision.ASK


# --- properties ---------------------------------------------------------------------

amounts = st.integers(1, 500_000)
customers = st.sampled_from(["acme", "bolt", "cora"])


@st.composite
def books(draw):
    numbers = draw(st.lists(st.integers(1, 40), min_size=1, max_size=8, unique=True))
    invoices = [
        inv(
            f"INV-{n:05d}",
            draw(customers),
            draw(st.sampled_from([1000, 2500, 10000]) | amounts),
            draw(st.sampled_from(["", make_rf(str(n + 100))])),
        )
        for n in numbers
    ]
    ibans = {c: ["DE02120300000000202051"] for c in draw(st.sets(customers, max_size=2))}
    return invoices, ibans


@st.composite
def lines(draw, invoices):
    target = draw(st.sampled_from(invoices))
    minor = draw(st.sampled_from([target.open_minor, target.open_minor - 300]) | amounts)
    text = draw(st.sampled_from(["", target.number, target.number.replace("-", " "), "thanks"]))
    return IncomingLine(
        max(minor, 1),
        "EUR",
        DUE,
        draw(st.sampled_from(["", NAMES[target.customer], "Someone Else"])),
        draw(st.sampled_from(["", "DE02120300000000202051"])),
        text,
        draw(st.sampled_from(["", target.reference])),
    )


rule_sets = st.lists(
    st.sets(st.sampled_from(list(Term)), min_size=1).map(frozenset), min_size=0, max_size=6
)


@settings(max_examples=300, deadline=None)
@given(st.data(), books(), rule_sets)
def test_applied_only_when_exactly_one_candidate_is_confident(data, book_data, rule_list):
    invoices, ibans = book_data
    book = MatchBook.of(invoices, NAMES, ibans)
    rules = MatchingRules(apply_when=tuple(rule_list))
    item = data.draw(lines(invoices))
    match = match_line(item, book, rules)
    confident = [c for c in match.candidates if c.confident]
    if match.decision is Decision.APPLY:
        applied = match.candidates[0]
        assert applied.confident
        assert any(rule <= applied.terms for rule in rules.apply_when)
        # any other confident candidate is the same customer's, found without the
        # reference or number the payer wrote for the applied one
        for other in confident[1:]:
            assert other.customer == applied.customer
            assert applied.has(Kind.REFERENCE, Kind.NUMBER)
            assert not other.has(Kind.REFERENCE, Kind.NUMBER)
    for c in match.candidates:
        other_payer = c.has(Kind.OTHER_PAYER) and not c.has(Kind.REFERENCE)
        assert c.confident == (rules.confident(c.terms) and not other_payer)
        open_of = {i.number: i.open_minor for i in invoices}
        assert all(0 <= a <= open_of[n] for n, a in zip(c.invoices, c.amounts, strict=True))
        assert sum(c.amounts) <= item.amount_minor


@settings(max_examples=200, deadline=None)
@given(st.data(), books(), rule_sets, rule_sets)
def test_more_rules_never_take_away_a_match_nor_fewer_add_one(data, book_data, some, more):
    invoices, ibans = book_data
    book = MatchBook.of(invoices, NAMES, ibans)
    item = data.draw(lines(invoices))
    fewer = match_line(item, book, MatchingRules(apply_when=tuple(some)))
    wider = match_line(item, book, MatchingRules(apply_when=tuple(some + more)))
    # widening the rules can turn an application into a question (a second candidate
    # becomes confident), never into an application of another invoice
    if fewer.applied is not None and wider.applied is not None:
        assert fewer.applied.invoices == wider.applied.invoices


@settings(max_examples=200, deadline=None)
@given(st.data(), books())
def test_a_twin_invoice_of_another_customer_with_the_same_name_makes_it_ask(data, book_data):
    invoices, ibans = book_data
    item = data.draw(lines(invoices))
    plain = match_line(item, MatchBook.of(invoices, NAMES, ibans), RULES)
    if plain.applied is None or len(plain.applied.invoices) > 1:
        return
    number = plain.applied.invoices[0]
    original = next(i for i in invoices if i.number == number)
    twin = OpenInvoice(
        "TWIN-" + original.number,
        "twin",
        original.open_minor,
        "EUR",
        DUE,
        None,
        original.reference,
    )
    names = {**NAMES, "twin": NAMES[original.customer]}
    ibans = {**ibans, "twin": list(ibans.get(original.customer, []))}
    twinned = match_line(item, MatchBook.of([*invoices, twin], names, ibans), RULES)
    # everything that made the original confident holds for the twin too, except a
    # number written in the text: with only reference, amount or payer, it asks
    if not plain.applied.has(Kind.NUMBER, Kind.NEAR_NUMBER):
        assert twinned.decision is Decision.ASK


@given(st.lists(st.text(min_size=1), max_size=3))
def test_rules_the_policy_refuses(texts):
    for text in texts:
        try:
            rule = parse_rule(text)
        except ValueError:
            continue
        issues = matching_issues(MatchingRules(apply_when=(rule,)))
        unsafe = rule <= {Term.NEAR_NUMBER, Term.AMOUNT}
        assert bool(issues) == unsafe


# --- the policy file ----------------------------------------------------------------


def test_every_matching_setting_is_in_the_default_file_and_the_docs():
    docs = (DEFAULT_POLICY_PATH.parent / "docs.md").read_text(encoding="utf-8")
    text = default_policy_text()
    for key in MATCHING_KEYS:
        assert re.search(rf"\b{key}\b", text), key
        assert re.search(rf"`{key}`", docs), key


def without_matching() -> str:
    return default_policy_text().split("\n# --- Bank statements")[0]


def test_matching_rules_read_and_write_back():
    loaded = load_policy(
        without_matching()
        + '\n[matching]\nauto_apply = false\napply_when = ["reference", "iban + number"]\n'
        + 'charges_up_to = "7.50 EUR"\nname_similarity = 95\n'
    )
    assert loaded.problems == (), loaded.problems
    assert loaded.policy is not None
    rules = loaded.policy.matching
    assert rules.apply_when == (frozenset({Term.REFERENCE}), frozenset({Term.IBAN, Term.NUMBER}))
    assert (rules.charges_up_to, rules.charges_currency) == (Decimal("7.50"), "EUR")
    assert not rules.auto_apply
    assert rules.name_similarity == 95
    assert load_policy(to_toml(loaded.policy)).policy == loaded.policy


def test_problems_of_the_matching_table_have_their_place():
    loaded = load_policy(
        without_matching() + '\n[matching]\napply_when = ["amount"]\nname_similarity = 40\n'
    )
    messages = [(p.line, p.message) for p in loaded.problems]
    assert len(messages) == 2
    assert any("the amount alone" in m for _, m in messages)
    assert any("name_similarity below 70" in m for _, m in messages)


@pytest.mark.parametrize("lang", ["en", "de", "fr"])
def test_every_kind_of_evidence_has_words_in_each_language(lang: str) -> None:
    english = {k: Evidence(k, "X-1", 1234).describe("EUR") for k in Kind}
    for kind in Kind:
        for figure in (-3, 0, 1234):
            said = Evidence(kind, "X-1", figure).describe("EUR", lang)
            assert "{" not in said, said
            assert "_" not in said, said
        if lang != "en":  # worded in the language, not the English fallback
            assert Evidence(kind, "X-1", 1234).describe("EUR", lang) != english[kind], kind
    assert Evidence(Kind.DATE, "", -3).describe("EUR", lang) != Evidence(Kind.DATE, "", 3).describe(
        "EUR", lang
    )
    assert "12.34 EUR" in Evidence(Kind.AMOUNT_CHARGES, "", 1234).describe("EUR", lang)
    one_day = Evidence(Kind.DATE, "", 1).describe("EUR", lang)
    assert "1" in one_day
    assert not re.search(r"\b1 (days|Tage|jours)\b", one_day), one_day


def test_what_is_applied_is_the_candidate_the_decision_chose():
    # the payer writes invoice 300's number but pays the exact amount of 301, one
    # character away and older; with rules under which both are confident, the written
    # number is chosen, and that is what is applied, whatever comes first in the order
    rules = MatchingRules(apply_when=(parse_rule("number"), parse_rule("near_number + amount")))
    book = MatchBook.of(
        [
            inv("INV-2026-000300", "acme", 10000),
            inv("INV-2026-000301", "acme", 5000, due=DUE - timedelta(40)),
        ],
        NAMES,
    )
    match = match_line(line(5000, "INV-2026-000300"), book, rules)
    assert match.decision is Decision.APPLY
    assert {c.invoices for c in match.candidates} >= {("INV-2026-000301",)}
    assert match.applied is not None
    assert match.applied.invoices == ("INV-2026-000300",)
