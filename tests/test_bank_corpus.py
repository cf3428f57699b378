"""Every statement of ../shared/corpus/bank read as its expected output (written by
others) says: camt.052/053/054 against genkgo/camt's JSON and OCA's golden parses,
MT940/MT942 against WoLpH/mt940's YAML and OCA's figures, OFX against OCA's and
ofxparse's own expectations, and the CSV exports against an independent reading of
their cells. Files that are not statements, or broken ones, are refused with a
problem that names where. Skipped only when ../shared is absent."""

from __future__ import annotations

import csv
from collections import defaultdict
from decimal import Decimal
from pathlib import Path

import pytest

from recoup.imports.bank.csv_mapping import CsvMapping
from recoup.imports.bank.model import BankFile, LineKind
from recoup.imports.bank.read import detect, read_bank_file
from tests.bank_expected import cents, genkgo, oca_golden, wolph
from tests.conftest import CORPUS, corpus_file

BANK = CORPUS / "bank"


def _files(folder: str, pattern: str) -> list[str]:
    base = BANK / folder
    if not base.exists():
        return ["(corpus absent)"]
    return sorted(str(p.relative_to(BANK)) for p in base.glob(pattern) if p.is_file())


def _read(relative: str, mapping: CsvMapping | None = None) -> BankFile:
    path = corpus_file("bank", *Path(relative).parts)
    return read_bank_file(path.read_bytes(), path.name, mapping)


def _entries(statement_lines: list) -> list[tuple[int, str]]:
    """Per camt entry: the signed amount (its details added up) and the currency."""
    sums: dict[int, int] = defaultdict(int)
    currency: dict[int, str] = {}
    for line in statement_lines:
        sums[line.entry_index] += line.amount_minor
        currency[line.entry_index] = line.currency
    return [(sums[i], currency[i]) for i in sorted(sums)]


# --- camt -----------------------------------------------------------------------------


@pytest.mark.parametrize("relative", _files("camt/genkgo-camt", "*.json"))
def test_genkgo_camt_reads_as_its_json_says(relative):
    json_path = corpus_file("bank", *Path(relative).parts)
    account, expected = genkgo(json_path)
    got = _read(str(Path(relative).with_suffix(".xml")))
    assert got.problems == []
    assert got.format is not None
    assert got.format.startswith("camt.05")
    last = got.statements[-1]
    assert _entries(last.lines) == [(e.amount_minor, e.currency) for e in expected]
    if account is not None:
        assert last.account == account.replace(" ", "")
    by_entry = {line.entry_index: line for line in last.lines}
    for index, entry in enumerate(expected):
        assert by_entry[index].booking_date == entry.booked
        if entry.servicer_ref and by_entry[index].detail_index is None:
            assert by_entry[index].servicer_ref == entry.servicer_ref


def test_the_wrong_camt_is_refused_by_its_element_path():
    got = _read("camt/genkgo-camt/camt053.v2.wrong.xml")
    assert got.statements == []
    assert got.problems
    assert str(got.problems[0]).startswith("camt053.v2.wrong.xml:/Document/BkToCstmrStmt/")


def test_camt_versions_one_to_eight_are_all_read():
    seen = {
        _read(r).format for r in _files("camt/genkgo-camt", "*.xml") if not r.endswith("wrong.xml")
    }
    assert {"camt.052.001.01", "camt.052.001.08", "camt.053.001.02", "camt.053.001.08"} <= seen
    assert {"camt.054.001.02", "camt.054.001.04", "camt.054.001.08"} <= seen


@pytest.mark.parametrize("name", ["camt053", "camt053-txdtls", "camt053-no-ntry", "camt054"])
def test_oca_camt_reads_as_its_golden_parse_says(name):
    gold = oca_golden(
        corpus_file("bank", "camt", "oca-bank-statement-import", f"golden-{name}.pydata")
    )
    got = _read(f"camt/oca-bank-statement-import/test-{name}")
    assert got.problems == []
    if gold.account is not None:
        assert {s.account for s in got.statements} == {gold.account}
    lines = [line for s in got.statements for line in s.lines]
    expected = [t for s in gold.statements for t in s["transactions"]]  # type: ignore[union-attr]
    assert [(line.amount_minor, str(line.booking_date)) for line in lines] == [
        (cents(t["amount"]), t["date"]) for t in expected
    ]
    for statement, golden in zip(got.statements, gold.statements, strict=False):
        assert statement.statement_id == golden["name"]
        if golden.get("balance_start"):
            assert statement.balance("opening").amount_minor == cents(golden["balance_start"])
            assert statement.balance("closing").amount_minor == cents(golden["balance_end_real"])


def test_a_returned_direct_debit_is_a_return_not_a_payment():
    got = _read("camt/oca-bank-statement-import/test-camt053")
    kinds = [(line.amount_minor, line.kind, line.return_reason) for line in got.lines]
    assert kinds == [
        (-75425, LineKind.DEBIT, None),
        (-56405, LineKind.RETURN, "AC06"),
        (-10000, LineKind.RETURN, "AC06"),
        (140531, LineKind.CREDIT, None),
    ]


@pytest.mark.parametrize("name", ["test-camt053-bookgdt-dttm", "camt053"])
def test_oca_camt_without_a_golden_parse_is_read(name):
    got = _read(f"camt/oca-bank-statement-import/{name}")
    assert got.problems == []
    assert got.lines
    assert all(line.booking_date is not None for line in got.lines)


# --- MT940 ----------------------------------------------------------------------------

# what the readers refuse, and why: fragments of a statement (a tag or two, no :20:
# that starts a statement, or no :25: account), and statements in Deutsche Mark, a
# currency since 2002 no more
MT940_REFUSED = {
    "mt940/wolph-mt940/betterplace/empty_line.sta": "no account (:25:)",
    "mt940/wolph-mt940/cmxl/reference.sta": "no account (:25:)",
    "mt940/wolph-mt940/cmxl/mt940.sta": "'DEM' is not an ISO 4217 currency",
    "mt940/wolph-mt940/self-provided/raphaelm.sta": "'DEM' is not an ISO 4217 currency",
}


def _wolph_cases() -> list[str]:
    """Each expected parse with its input beside it (SOURCES.md: one has none)."""
    found = _files("mt940/wolph-mt940", "**/*.yml")
    return [
        r
        for r in found
        if r == "(corpus absent)"
        or any(p.suffix != ".yml" for p in (BANK / r).parent.glob(Path(r).stem + ".*"))
    ]


@pytest.mark.parametrize("relative", _wolph_cases())
def test_wolph_mt940_reads_as_its_yaml_says(relative):
    yml = corpus_file("bank", *Path(relative).parts)
    inputs = [p for p in yml.parent.glob(yml.stem + ".*") if p.suffix != ".yml"]
    source = str(inputs[0].relative_to(BANK))
    fields, expected = wolph(yml)
    got = _read(source)
    if source in MT940_REFUSED:
        assert any(MT940_REFUSED[source] in str(p) for p in got.problems), got.problems
        assert all(":" in str(p).split(" ")[0] for p in got.problems)  # file:line: ...
        return
    if "transaction_reference" not in fields or any(e.currency is None for e in expected):
        # a fragment (no :20:), or lines with no currency anywhere: nothing can be booked
        assert got.problems, "a fragment must be refused"
        if got.format == "csv":  # no SWIFT tag in it at all
            assert "not a statement this reads" in got.problems[0].message
        else:
            assert got.format in ("mt940", "mt942")  # told by its tags, refused as MT940
        assert got.lines == []
        return
    assert got.problems == []
    # MT940 signs by the :61: mark: D and RC (a credit reversed) are money out; the
    # YAML was written by the library's 5.0 defaults, which left RC positive
    signed = [(-e.amount if e.mark == "RC" else e.amount) for e in expected]
    assert [line.amount_minor for line in got.lines] == [int(a * 100) for a in signed]
    assert [line.currency for line in got.lines] == [e.currency for e in expected]
    assert [line.value_date for line in got.lines] == [e.day for e in expected]
    # the YAML's `:86:` details overwrote a :61: bank reference with None (5.0's
    # default), so only the references it kept are compared
    for line, e in zip(got.lines, expected, strict=True):
        if e.bank_reference and e.bank_reference != "NONREF":
            assert line.servicer_ref == e.bank_reference
    # the dump keeps the last statement's fields; a binary byte in it is dropped there
    ours, theirs = got.statements[-1].statement_id or "", fields["transaction_reference"]
    assert ours.encode("ascii", "ignore") == theirs.encode("ascii", "ignore").replace(b"\\xDC", b"")


def test_oca_ing_mt940_with_its_lines_wrapped_mid_token():
    got = _read("mt940/oca-bank-statement-import/test-ing.940")
    assert got.problems == []
    (statement,) = got.statements
    assert statement.account == "NL77INGB0574908765"
    assert statement.balance("opening").amount_minor == 66223
    assert statement.balance("closing").amount_minor == 56435
    assert got.lines[0].amount_minor == 156
    total = sum(line.amount_minor for line in got.lines)
    assert 66223 + total == 56435


@pytest.mark.parametrize(
    "name", ["test-ing-old.940", "test-rabo.swi", "test-sns.940", "test-wrong-file.940"]
)
def test_oca_mt940_statements_add_up_to_their_balances(name):
    got = _read(f"mt940/oca-bank-statement-import/{name}")
    assert got.problems == []
    assert got.lines
    for statement in got.statements:
        opening, closing = statement.balance("opening"), statement.balance("closing")
        if opening and closing:
            assert opening.amount_minor + sum(x.amount_minor for x in statement.lines) == (
                closing.amount_minor
            )


def test_the_asn_mt940_without_an_expected_parse_adds_up():
    got = _read("mt940/wolph-mt940/ASNB/0708271685_09022020_164516.940.txt")
    assert got.problems == []
    assert len(got.lines) == 8
    for statement in got.statements:
        opening, closing = statement.balance("opening"), statement.balance("closing")
        assert opening
        assert closing
        assert opening.amount_minor + sum(x.amount_minor for x in statement.lines) == (
            closing.amount_minor
        )


# --- OFX ------------------------------------------------------------------------------


def test_oca_ofx_reads_to_its_balances():
    for name in ("test_ofx.ofx", "test_ofx_iban.ofx"):
        got = _read(f"ofx/oca-bank-statement-import/{name}")
        assert got.problems == []
        statement = got.statements[0]
        closing = statement.balance("closing").amount_minor
        assert closing == 215656
        assert closing - sum(x.amount_minor for x in statement.lines) == 251656
        agrolait = [x for x in statement.lines if x.counterparty_name == "Agrolait"]
        assert [str(x.booking_date) for x in agrolait] == ["2013-08-24"]
        assert all(x.transaction_id for x in statement.lines)  # FITID


OFX_LINES = {  # ofxparse's own tests: transactions per statement
    "ofx/ofxparse/bank_medium.ofx": [3],
    "ofx/ofxparse/checking.ofx": [3],
    "ofx/ofxparse/anzcc.ofx": [1],
    "ofx/ofxparse/suncorp.ofx": [1],
    "ofx/ofxparse/fidelity-savings.ofx": [4],
    "ofx/ofxparse/multiple_accounts.ofx": [0, 0],
    "ofx/ofxparse/fail_nice/empty_balance.ofx": [1],  # an empty element is one left out
    "ofx/oca-bank-statement-import/test_ofx.ofx": [4, 0],
}
OFX_REFUSED = {
    "ofx/oca-bank-statement-import/test_ofx_wrong.ofx": "Missing Transaction Amount",
    "ofx/ofxparse/fail_nice/date_missing.ofx": "Missing Transaction Date",
    "ofx/ofxparse/fail_nice/decimal_error.ofx": "Invalid Transaction Amount",
    "ofx/ofxparse/fidelity-savings.ofx": "115.8331 USD has more decimals than USD has",
    "ofx/ofxparse/ofx-v102-empty-tags.ofx": "Missing FIT id",
    "ofx/ofxparse/bank_small.ofx": "no bank statement",
    "ofx/ofxparse/signon_fail.ofx": "no bank statement",
    "ofx/ofxparse/error_message.ofx": "no bank statement",
    "ofx/ofxparse/account_listing_aggregation.ofx": "no bank statement",
}


@pytest.mark.parametrize("relative", _files("ofx", "**/*.ofx"))
def test_every_ofx_file_is_read_or_refused_by_name(relative):
    got = _read(relative)
    assert got.format == "ofx"
    if relative in OFX_REFUSED:
        assert got.statements == [] or got.problems
        assert any(OFX_REFUSED[relative] in p.message for p in got.problems), got.problems
        return
    assert got.problems == []
    assert [len(s.lines) for s in got.statements] == OFX_LINES.get(
        relative, [len(s.lines) for s in got.statements]
    )
    for statement in got.statements:
        assert all(line.currency == statement.account_currency for line in statement.lines)


def test_a_refused_ofx_transaction_is_named_by_its_line():
    got = _read("ofx/ofxparse/fail_nice/date_missing.ofx")
    assert got.problems[0].line is not None
    text = corpus_file("bank", "ofx", "ofxparse", "fail_nice", "date_missing.ofx").read_text()
    assert "<STMTTRN>" in text.splitlines()[got.problems[0].line - 1].upper()


# --- CSV ------------------------------------------------------------------------------

SHEETS = "csv/oca-bank-statement-import/sheet_file"
US = {"date_format": "%m/%d/%Y", "decimal": "."}
# the OCA sample sheets' columns and account, one mapping for most of them
OCA_ACCOUNT = "NL91ABNA0417164300"
OCA_COLUMNS = {
    "Date": "date",
    "Label": "remittance",
    "Currency": "currency",
    "Amount": "amount",
    "Partner Name": "counterparty",
}


def _oca(**more: str) -> CsvMapping:
    """The mapping most of the OCA sheets share (their account, columns, US numbers)."""
    return CsvMapping(account=OCA_ACCOUNT, columns=OCA_COLUMNS, **US, **more)


CSV_MAPPINGS: dict[str, CsvMapping] = {
    f"{SHEETS}/balance.csv": CsvMapping(
        account="NL91ABNA0417164300",
        columns={
            "Date": "date",
            "Label": "remittance",
            "Amount": "amount",
            "Partner Name": "counterparty",
            "Bank Account": "counterparty_iban",
        },
        currency="USD",
        **US,
    ),
    f"{SHEETS}/debit_credit.csv": CsvMapping(
        account="NL91ABNA0417164300",
        columns={
            "Date": "date",
            "Label": "remittance",
            "Amount": "amount",
            "D/C": "mark",
            "Partner Name": "counterparty",
        },
        currency="USD",
        debit_mark="D",
        **US,
    ),
    f"{SHEETS}/debit_credit_amount.csv": CsvMapping(
        account="NL91ABNA0417164300",
        columns={
            "Date": "date",
            "Label": "remittance",
            "Debit": "debit",
            "Credit": "credit",
            "Partner Name": "counterparty",
        },
        currency="USD",
        **US,
    ),
    f"{SHEETS}/multi_currency.csv": _oca(),
    f"{SHEETS}/original_currency.csv": _oca(),
    f"{SHEETS}/original_currency_empty.csv": _oca(currency="USD"),
    f"{SHEETS}/original_currency_no_header.csv": CsvMapping(
        account="NL91ABNA0417164300",
        columns={
            "1": "date",
            "2": "remittance",
            "3": "currency",
            "4": "amount",
            "6": "counterparty",
            "8": "reference",
        },
        no_header=True,
        **US,
    ),
    f"{SHEETS}/sample_statement_en.csv": _oca(),
    f"{SHEETS}/sample_statement_credit_card_inverse_sign_en.csv": _oca(sign="inverse"),
    f"{SHEETS}/empty_statement_en.csv": CsvMapping(
        account="NL91ABNA0417164300",
        columns={"Date": "date", "Label": "remittance", "Currency": "currency", "Amount": "amount"},
        **US,
    ),
    f"{SHEETS}/meta_data_separated_credit_debit.csv": CsvMapping(
        columns={
            "Date": "date",
            "Operation Number": "transaction_id",
            "Label": "remittance",
            "Debit": "debit",
            "Credit": "credit",
            "Detail": "remittance",
        },
        currency="EUR",
        account="08088804068",
        date_format="%d/%m/%y",
        decimal=",",
        skip_lines=4,
        footer_lines=1,
    ),
    "csv/oca-bank-statement-import/statement_en.csv": CsvMapping(
        account="NL91ABNA0417164300",
        columns={
            "Date": "date",
            "Description": "remittance",
            "Currency": "currency",
            "Gross": "amount",
            "Fee": "fee",
            "Transaction ID": "transaction_id",
            "Name": "counterparty",
            "Invoice ID": "reference",
        },
        **US,
    ),
    "csv/oca-bank-statement-import/settlement_detail_report_batch_238.csv": CsvMapping(
        account="NL91ABNA0417164300",
        columns={
            "Creation Date": "date",
            "Net Currency": "currency",
            "Net Debit (NC)": "debit",
            "Net Credit (NC)": "credit",
            "Type": "kind",
            "Modification Reference": "remittance",
            "Psp Reference": "transaction_id",
        },
        date_format="%Y-%m-%d %H:%M:%S",
        decimal=".",
    ),
}


def _independent(relative: str, mapping: CsvMapping) -> list[tuple[int, str]]:
    """(signed minor units, currency) of every line, read with csv and Decimal alone."""
    path = corpus_file("bank", *Path(relative).parts)
    rows = list(csv.reader(path.read_text(encoding="utf-8-sig").splitlines()))
    rows = rows[mapping.skip_lines : len(rows) - mapping.footer_lines]
    if mapping.no_header:
        header = [str(n + 1) for n in range(len(rows[0]))] if rows else []
    else:
        header, rows = rows[0], rows[1:]
    col = {field: header.index(src) for src, field in reversed(mapping.columns.items())}

    def value(row: list[str], field: str) -> Decimal | None:
        if field not in col or not row[col[field]].strip():
            return None
        text = row[col[field]].strip().replace("+", "")
        if mapping.decimal == ",":
            text = text.replace(".", "").replace(",", ".")
        return Decimal(text.replace(",", ""))

    out: list[tuple[int, str]] = []
    for row in rows:
        if not any(c.strip() for c in row):
            continue
        currency = (row[col["currency"]] if "currency" in col else "") or mapping.currency
        amount = value(row, "amount") or Decimal(0)
        amount += abs(value(row, "credit") or 0) - abs(value(row, "debit") or 0)
        if "mark" in col:
            amount = -abs(amount) if row[col["mark"]] == "D" else abs(amount)
        if mapping.sign == "inverse":
            amount = -amount
        out.append((int(amount * 100), currency or ""))
        if value(row, "fee"):
            out.append((-int(abs(value(row, "fee") or 0) * 100), currency or ""))
    return out


@pytest.mark.parametrize("relative", sorted(CSV_MAPPINGS))
def test_csv_exports_read_by_their_mapping_as_their_cells_say(relative):
    mapping = CSV_MAPPINGS[relative]
    got = _read(relative, mapping)
    assert got.problems == []
    assert [(x.amount_minor, x.currency) for x in got.lines] == _independent(relative, mapping)
    assert all(x.booking_date is not None for x in got.lines)


def test_every_csv_of_the_corpus_has_a_mapping_here():
    assert set(_files("csv", "**/*.csv")) <= set(CSV_MAPPINGS) | {"(corpus absent)"}


def test_csv_fees_and_kinds():
    paypal = _read(
        "csv/oca-bank-statement-import/statement_en.csv",
        CSV_MAPPINGS["csv/oca-bank-statement-import/statement_en.csv"],
    )
    fees = [x for x in paypal.lines if x.kind is LineKind.FEE]
    assert fees
    assert all(x.amount_minor < 0 and x.detail_index == 1 for x in fees)
    adyen_name = "csv/oca-bank-statement-import/settlement_detail_report_batch_238.csv"
    adyen = _read(adyen_name, CSV_MAPPINGS[adyen_name])
    assert [x.kind for x in adyen.lines] == [LineKind.CREDIT, LineKind.FEE, LineKind.DEBIT]


def test_a_csv_without_a_mapping_is_read_by_its_column_names_or_refused_with_the_way_out():
    got = _read(f"{SHEETS}/sample_statement_en.csv", CsvMapping(account="NL91ABNA0417164300", **US))
    assert got.problems == []
    assert len(got.lines) == 2
    refused = _read("csv/oca-bank-statement-import/settlement_detail_report_batch_238.csv")
    assert refused.problems
    assert "--map COLUMN=date" in refused.problems[0].message
    bad = _read(
        f"{SHEETS}/balance.csv",
        CsvMapping(
            account="NL91ABNA0417164300",
            columns={"Date": "date", "Amount": "amount"},
            currency="USD",
            date_format="%d.%m.%Y",
        ),
    )
    assert bad.problems
    assert str(bad.problems[0]).startswith("balance.csv:2:1: ")


# --- detection ------------------------------------------------------------------------


def test_formats_are_told_by_content_not_by_name():
    assert (
        detect(
            corpus_file("bank", "camt", "oca-bank-statement-import", "test-camt054").read_bytes()
        )
        == "camt"
    )
    assert (
        detect(corpus_file("bank", "mt940", "wolph-mt940", "jejik", "ing.sta").read_bytes())
        == "mt940"
    )
    assert detect(corpus_file("bank", "ofx", "ofxparse", "checking.ofx").read_bytes()) == "ofx"
    assert (
        detect(
            corpus_file("bank", "csv", "oca-bank-statement-import", "statement_en.csv").read_bytes()
        )
        == "csv"
    )


def test_dutch_mt940_details_give_the_payer_and_what_they_wrote():
    ing = _read("mt940/oca-bank-statement-import/test-ing.940").lines
    first = ing[0]
    assert (first.end_to_end_id, first.counterparty_iban, first.counterparty_name) == (
        "EV12341REP1231456T1234",
        "NL32INGB0000012345",
        "ING BANK NV INZAKE WEB",
    )
    assert first.remittance == "EV10001REP1000000T1000"
    returned = ing[2]
    assert (returned.kind, returned.return_reason) == (LineKind.RETURN, "MS03")
    assert returned.remittance == "Factuurnr 123456 Klantnr 00123"
    structured = [x for x in ing if x.creditor_ref]
    assert next((x.creditor_ref_type, x.creditor_ref) for x in structured) == (
        "CUR",
        "9001123412341234",
    )
    rabo = _read("mt940/oca-bank-statement-import/test-rabo.swi").lines[0]
    assert (rabo.counterparty_name, rabo.remittance) == (
        "R. SMITH",
        "Test money paid by other partner:",
    )
    assert "NL66RABO0160878799" in (rabo.counterparty_iban, rabo.counterparty_account)
