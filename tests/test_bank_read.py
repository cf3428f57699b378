"""Bank files made here for what the corpus does not show: an amount with a digit more
than its currency has, an XML file that is no camt, a CSV whose dates read two ways,
fees and returns told by their codes, an empty file. Each refusal names its place."""

from __future__ import annotations

from recoup.imports.bank.csv_mapping import CsvMapping
from recoup.imports.bank.model import LineKind
from recoup.imports.bank.read import read_bank_file


def _camt(entries: str) -> bytes:
    return f"""<?xml version="1.0"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.04">
 <BkToCstmrStmt>
  <Stmt><Id>S-1</Id>
   <Acct><Id><IBAN>NL91ABNA0417164300</IBAN></Id></Acct>
   {entries}
  </Stmt>
 </BkToCstmrStmt>
</Document>""".encode()


def _entry(amount: str, mark: str = "CRDT", code: str = "PMNT-RCDT-ESCT", extra: str = "") -> str:
    domain, family, sub = code.split("-")
    return f"""<Ntry><Amt Ccy="EUR">{amount}</Amt><CdtDbtInd>{mark}</CdtDbtInd>{extra}
      <Sts>BOOK</Sts><BookgDt><Dt>2025-03-03</Dt></BookgDt>
      <BkTxCd><Domn><Cd>{domain}</Cd><Fmly><Cd>{family}</Cd><SubFmlyCd>{sub}</SubFmlyCd>
      </Fmly></Domn></BkTxCd></Ntry>"""


def test_a_camt_amount_with_a_digit_too_many_is_refused_at_its_element():
    got = read_bank_file(_camt(_entry("8.850") + _entry("8.855")), "s.xml")
    (problem,) = got.problems
    assert str(problem).startswith("s.xml:/Document/BkToCstmrStmt/Stmt[1]/Ntry[2]/Amt: ")
    assert "never rounded" in problem.message


def test_camt_kinds_by_their_codes():
    got = read_bank_file(
        _camt(
            _entry("100.00")
            + _entry("2.50", "DBIT", "ACMT-MDOP-CHRG")
            + _entry("40.00", "DBIT", "PMNT-IRCT-ESCT")
            + _entry("40.00", "CRDT", "PMNT-RCDT-ESCT", "<RvslInd>true</RvslInd>")
            + _entry("0.12", "CRDT", "ACMT-MCOP-INTR")
        ),
        "k.xml",
    )
    assert got.problems == []
    assert [(x.amount_minor, x.kind) for x in got.lines] == [
        (10000, LineKind.CREDIT),
        (-250, LineKind.FEE),
        (-4000, LineKind.DEBIT),
        (4000, LineKind.RETURN),
        (12, LineKind.INTEREST),
    ]


def test_xml_that_is_no_camt_is_refused():
    got = read_bank_file(b"<?xml version='1.0'?><Invoice><ID>1</ID></Invoice>", "i.xml")
    assert got.problems
    assert "not an ISO 20022 camt" in got.problems[0].message


def test_a_csv_whose_dates_read_two_ways_is_refused_with_the_way_out():
    data = b"Date,Amount,Label\n01/02/2025,10.00,a\n03/04/2025,5.00,b\n"
    got = read_bank_file(data, "e.csv", CsvMapping(account="NL91ABNA0417164300", currency="EUR"))
    assert "give --date-format" in got.problems[0].message
    fixed = read_bank_file(
        data,
        "e.csv",
        CsvMapping(account="NL91ABNA0417164300", currency="EUR", date_format="%d/%m/%Y"),
    )
    assert [str(x.booking_date) for x in fixed.lines] == ["2025-02-01", "2025-04-03"]


def test_a_csv_amount_that_is_no_amount_names_its_cell():
    data = b"Date,Amount,Label\n2025-02-01,10.00,a\n2025-02-02,ten,b\n"
    got = read_bank_file(data, "e.csv", CsvMapping(account="NL91ABNA0417164300", currency="EUR"))
    assert str(got.problems[0]).startswith("e.csv:3:2: ")


def test_an_empty_file_is_refused():
    assert read_bank_file(b"  \n", "x.sta").problems[0].message == "the file is empty"


def test_a_camt_file_with_a_doctype_is_refused_and_no_entity_is_read():
    doctype = b'<!DOCTYPE Document [<!ENTITY x SYSTEM "file:///etc/passwd">]>\n'
    data = _camt(_entry("1.00")).replace(b"?>\n", b"?>\n" + doctype, 1)
    got = read_bank_file(data, "d.xml")
    assert got.problems[0].message == "a DOCTYPE: a camt file has none, refused"
    assert got.lines == []


def test_a_csv_that_names_no_account_is_refused():
    data = b"Date,Amount,Label\n2025-02-01,10.00,a\n"
    got = read_bank_file(data, "e.csv", CsvMapping(currency="EUR"))
    assert "give --account IBAN" in got.problems[0].message
    by_column = b"Date,Amount,Account\n2025-02-01,10.00,NL91 ABNA 0417 1643 00\n2025-02-02,5.00,\n"
    mapped = CsvMapping(
        currency="EUR", columns={"Date": "date", "Amount": "amount", "Account": "account"}
    )
    got = read_bank_file(by_column, "a.csv", mapped)
    assert [str(p) for p in got.problems] == ["a.csv:3:3: no account"]
    ok = read_bank_file(by_column.rsplit(b"\n", 2)[0] + b"\n", "a.csv", mapped)
    assert [s.account for s in ok.statements] == ["NL91ABNA0417164300"]


def test_a_line_without_a_bank_reference_is_known_by_what_the_bank_wrote():
    """What the readers make of a line's text may change from one version to the next;
    its identity does not, so a statement read again after an upgrade adds nothing."""
    from dataclasses import replace

    from recoup.imports.bank.identity import line_identities

    data = b":20:S\n:25:NL91ABNA0417164300\n:28C:1\n:60F:C250101EUR0,00\n"
    data += b":61:250105C10,00NTRFNONREF\n:86:/EREF/E1//REMI/USTD//INV 1/\n"
    data += b":61:250105C10,00NTRFNONREF\n:86:/EREF/E1//REMI/USTD//INV 1/\n:62F:C250131EUR20,00\n-"
    (statement,) = read_bank_file(data, "s.sta").statements
    first = line_identities(statement)
    assert len(set(first)) == 2  # two equal payments stay two
    statement.lines = [
        replace(x, remittance="read otherwise", end_to_end_id=None) for x in statement.lines
    ]
    assert line_identities(statement) == first
