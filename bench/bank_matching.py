"""Matching bank statement lines to a book's open invoices (target: 10,000 lines against
the 1,000,000-invoice book in <= 5 s; zero wrong automatic applications; >= 85 % of the
payable lines applied automatically; the right invoice among the review queue's
suggestions for the rest).

A book is generated (customers with names, IBANs, invoices with numbers, due dates and
amounts, a third with an RF payment reference), then a statement whose every line
knows what it pays: exact and structured references, numbers written every which way,
one character wrong, no reference at all, several invoices at once, a part, bank
charges deducted from a foreign transfer, debits and fees, two customers with the same
amount open, money from someone who is no customer. Prints a table.

    .venv/bin/python bench/bank_matching.py [--invoices 1000000] [--lines 10000]
"""

from __future__ import annotations

import argparse
import random
import resource
import time
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from recoup.domain.matching.book import MatchBook, OpenInvoice
from recoup.domain.matching.evidence import Decision, IncomingLine
from recoup.domain.matching.matcher import match_lines
from recoup.domain.matching.references import make_rf
from recoup.domain.matching.rules import MatchingRules

TODAY = date(2026, 12, 7)
SYLLABLES = "ka ro mi ne tu sa vel dor lin bra gun hal mer tor wis fen qua zel pim rud".split()
FORMS = ["GmbH", "Ltd", "AG", "SARL", "BV", "", "", "& Co KG"]
PRICES = [5000, 9900, 10000, 12500, 25000, 49900, 50000, 100000, 120000, 250000]


@dataclass(frozen=True, slots=True)
class Case:
    kind: str
    line: IncomingLine
    truth: frozenset[str]  # the invoices it pays; empty: no customer payment


def word(rng: random.Random) -> str:
    return "".join(rng.choice(SYLLABLES) for _ in range(3)).capitalize()


def make_book(rng: random.Random, invoices: int) -> tuple[list[OpenInvoice], dict, dict, dict]:
    customers = max(1, invoices // 5)
    names = {
        f"C{c:06d}": f"{word(rng)} {word(rng)} {rng.choice(FORMS)}".strip()
        for c in range(customers)
    }
    ibans = {c: f"DE{rng.randint(10, 99)}{rng.randint(10**17, 10**18 - 1)}" for c in names}
    keys = list(names)
    book = []
    for n in range(invoices):
        customer = keys[rng.randrange(customers)]
        due = TODAY - timedelta(days=rng.randint(-30, 120))
        amount = rng.choice(PRICES) if rng.random() < 0.25 else rng.randint(20_00, 8_000_00)
        number = f"INV-{n + 1:07d}"
        ref = make_rf(f"{n + 1:07d}") if rng.random() < 0.35 else ""
        book.append(OpenInvoice(number, customer, amount, "EUR", due, due - timedelta(30), ref))
        if rng.random() < 0.01 and amount not in PRICES:  # another customer owes the same
            n_twin = f"INV-{invoices + len(book):07d}"
            twin = keys[rng.randrange(customers)]
            book.append(OpenInvoice(n_twin, twin, amount, "EUR", due, due - timedelta(30), ""))
    known = {c: [ibans[c]] for c in keys if rng.random() < 0.4}  # learned from confirmations
    return book, names, ibans, known


def written(rng: random.Random, number: str) -> str:
    digits = number.split("-")[1]
    return rng.choice(
        [
            number,
            number.lower(),
            number.replace("-", " "),
            number.replace("-", ""),
            f"INV {digits.lstrip('0')}",
            f"inv-{digits.lstrip('0')}",
            f"Rechnung Nr. {digits}",
            f"INV / {digits[:3]} {digits[3:]}",
        ]
    )


def typo(rng: random.Random, number: str) -> str:
    digits = list(number.split("-")[1])
    i = rng.randrange(len(digits))
    what = rng.choice(["change", "swap", "drop"])
    if what == "change":
        digits[i] = rng.choice([d for d in "0123456789" if d != digits[i]])
    elif what == "swap" and i + 1 < len(digits) and digits[i] != digits[i + 1]:
        digits[i], digits[i + 1] = digits[i + 1], digits[i]
    else:
        del digits[i]
    return "INV-" + "".join(digits)


def payer(rng: random.Random, name: str) -> str:
    plain = " ".join(name.split()[:2])  # without the legal form
    return rng.choice([name, name.upper(), plain, plain.upper()])


def make_statement(rng, book, names, ibans, count) -> list[Case]:
    by_customer: dict[str, list[OpenInvoice]] = {}
    by_amount: dict[int, list[OpenInvoice]] = {}
    for inv in book:
        by_customer.setdefault(inv.customer, []).append(inv)
        by_amount.setdefault(inv.open_minor, []).append(inv)
    shared = [
        a
        for a, same in by_amount.items()
        if a not in PRICES and len({i.customer for i in same}) > 1
    ]
    used: set[str] = set()

    def pick(with_ref: bool = False) -> OpenInvoice:
        while True:
            inv = book[rng.randrange(len(book))]
            if inv.number not in used and (inv.reference or not with_ref):
                used.add(inv.number)
                return inv

    def line(minor, inv=None, text="", ref="", name=None, iban=None, credit=True):
        who = inv.customer if inv else None
        return IncomingLine(
            minor,
            "EUR",
            TODAY,
            payer(rng, names[who]) if name is None and who else (name or ""),
            (ibans[who] if rng.random() < 0.7 else "") if iban is None and who else (iban or ""),
            text,
            ref,
            credit,
        )

    mix = [
        ("reference", 22),
        ("number", 24),
        ("typo", 7),
        ("no reference", 11),
        ("combined", 7),
        ("part", 6),
        ("charges", 7),
        ("debit", 5),
        ("same amount", 6),
        ("no customer", 5),
    ]
    kinds = [k for k, w in mix for _ in range(w)]
    cases: list[Case] = []
    for _ in range(count):
        kind = rng.choice(kinds)
        if kind == "reference":
            inv = pick(with_ref=True)
            c = Case(
                kind, line(inv.open_minor, inv, "Thank you", inv.reference), frozenset({inv.number})
            )
        elif kind == "number":
            inv = pick()
            c = Case(
                kind,
                line(inv.open_minor, inv, f"Payment {written(rng, inv.number)}"),
                frozenset({inv.number}),
            )
        elif kind == "typo":
            inv = pick()
            c = Case(
                kind, line(inv.open_minor, inv, typo(rng, inv.number)), frozenset({inv.number})
            )
        elif kind == "no reference":
            inv = pick()
            c = Case(
                kind,
                line(inv.open_minor, inv, rng.choice(["", "Thanks", "Invoice"])),
                frozenset({inv.number}),
            )
        elif kind == "combined":
            inv = pick()
            rest = [i for i in by_customer[inv.customer] if i is not inv and i.number not in used]
            group = [inv, *rng.sample(rest, min(len(rest), rng.randint(1, 2)))]
            used.update(i.number for i in group)
            text = " ".join(i.number for i in group) if rng.random() < 0.6 else "Invoices"
            total = sum(i.open_minor for i in group)
            c = Case(kind, line(total, inv, text), frozenset(i.number for i in group))
        elif kind == "part":
            inv = pick()
            part = rng.randint(1, inv.open_minor // 2) // 100 * 100 or 100
            c = Case(
                kind,
                line(part, inv, f"part payment {written(rng, inv.number)}"),
                frozenset({inv.number}),
            )
        elif kind == "charges":
            inv = pick()
            charges = rng.randint(150, 1200)
            foreign = f"GB{rng.randint(10, 99)}BARC{rng.randint(10**13, 10**14 - 1)}"
            text = (
                inv.reference if inv.reference and rng.random() < 0.5 else written(rng, inv.number)
            )
            c = Case(
                kind,
                line(inv.open_minor - charges, inv, text, "", names[inv.customer].upper(), foreign),
                frozenset({inv.number}),
            )
        elif kind == "debit":
            minor = rng.randint(10_00, 2_000_00)
            c = Case(
                kind,
                IncomingLine(-minor, "EUR", TODAY, "Office Supplies Ltd", "", "Order 4711"),
                frozenset(),
            )
            if rng.random() < 0.3:
                c = Case(
                    kind,
                    IncomingLine(1250, "EUR", TODAY, "", "", "Account fees", is_credit=False),
                    frozenset(),
                )
        elif kind == "same amount":
            options: list[OpenInvoice] = []
            while shared and not options:
                amount = rng.choice(shared)
                options = [i for i in by_amount[amount] if i.number not in used]
                if not options:
                    shared.remove(amount)
            if not options:
                continue
            inv = rng.choice(options)
            used.add(inv.number)
            # half name the payer, half come through a payment service with no name
            if rng.random() < 0.5:
                c = Case(kind, line(amount, inv, ""), frozenset({inv.number}))
            else:
                c = Case(
                    kind,
                    line(amount, inv, "PAYMENT SERVICE", "", "PaySvc Europe", ""),
                    frozenset({inv.number}),
                )
        else:
            c = Case(
                kind,
                IncomingLine(
                    rng.randint(10_00, 900_00), "EUR", TODAY, "Tax Office", "", "refund 2025"
                ),
                frozenset(),
            )
        cases.append(c)
    return cases


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--invoices", type=int, default=1_000_000)
    parser.add_argument("--lines", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--book",
        type=Path,
        default=None,
        help="Also import the statement into a new SQLite book in this folder (the "
        "service's whole path: the lines stored, matched, applied as payments).",
    )
    args = parser.parse_args()
    rng = random.Random(args.seed)
    t0 = time.perf_counter()
    invoices, names, ibans, known = make_book(rng, args.invoices)
    cases = make_statement(rng, invoices, names, ibans, args.lines)
    t1 = time.perf_counter()
    columns = (
        [i.number for i in invoices],
        [i.customer for i in invoices],
        [i.open_minor for i in invoices],
        [i.currency for i in invoices],
        [i.due_date for i in invoices],
        [i.reference for i in invoices],
    )  # as the store reads them: columns, not one object per invoice
    t1, c1 = time.perf_counter(), time.process_time()
    book = MatchBook(*columns, names, known)
    t2, c2 = time.perf_counter(), time.process_time()
    rules = MatchingRules()
    results = match_lines([c.line for c in cases], book, rules)
    t3, c3 = time.perf_counter(), time.process_time()

    per_kind: dict[str, Counter[str]] = {}
    for case, match in zip(cases, results, strict=True):
        tally = per_kind.setdefault(case.kind, Counter())
        tally["lines"] += 1
        if match.decision is Decision.APPLY:
            right = frozenset(match.candidates[0].invoices) == case.truth
            tally["applied right" if right else "APPLIED WRONG"] += 1
        elif match.decision is Decision.NOT_PAYMENT:
            tally["not payment"] += 1
        elif case.truth:
            among = any(frozenset(c.invoices) == case.truth for c in match.candidates)
            tally["queued, suggested" if among else "queued, not suggested"] += 1
        else:
            tally["queued"] += 1
    total = Counter[str]()
    for tally in per_kind.values():
        total.update(tally)
    payable = sum(1 for c in cases if c.truth)
    wrong = total["APPLIED WRONG"]
    right = total["applied right"]
    queued_payable = payable - right - wrong
    print(
        f"book: {len(invoices):,} open invoices, {len(names):,} customers; "
        f"statement: {len(cases):,} lines"
    )
    cols = [
        "lines",
        "applied right",
        "APPLIED WRONG",
        "queued, suggested",
        "queued, not suggested",
        "queued",
        "not payment",
    ]
    print(f"{'kind':<14}" + "".join(f"{c:>22}" for c in cols))
    for kind, tally in sorted(per_kind.items()):
        print(f"{kind:<14}" + "".join(f"{tally[c]:>22,}" for c in cols))
    print(f"{'all':<14}" + "".join(f"{total[c]:>22,}" for c in cols))
    print()
    print(f"{'wrong automatic applications':<44}{wrong:>10,}")
    print(f"{'precision of automatic applications':<44}{right / max(1, right + wrong):>10.4f}")
    print(f"{'payable lines':<44}{payable:>10,}")
    print(f"{'applied automatically (of payable)':<44}{right / max(1, payable):>10.1%}")
    suggested = total["queued, suggested"] / max(1, queued_payable)
    print(f"{'queued with the right invoices suggested':<44}{suggested:>10.1%}")
    print(f"{'book and statement generated (s)':<44}{t1 - t0:>10.2f}")
    print(f"{'':<44}{'wall s':>10}{'CPU s':>10}")
    print(f"{'open invoices indexed':<44}{t2 - t1:>10.2f}{c2 - c1:>10.2f}")
    print(f"{'lines matched':<44}{t3 - t2:>10.2f}{c3 - c2:>10.2f}")
    print(f"{'indexed + matched':<44}{t3 - t1:>10.2f}{c3 - c1:>10.2f}")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"{'peak memory (MB, with the generated book)':<44}{peak:>10.0f}")
    if args.book is not None:
        through_book(args.book, invoices, names, ibans, known, cases, args.seed)


def make_sqlite_book(folder: Path, pristine: Path, invoices, names, known) -> None:
    """The generated book imported into SQLite by the importers users run, and the
    payers' learned accounts; written under another name and renamed when complete."""
    from recoup.services import importing
    from recoup.services.book import Book
    from recoup.services.importing import Kind, Options
    from recoup.store import bank_match_repo

    made = pristine.with_suffix(".making")
    for stale in folder.glob(made.name + "*"):
        stale.unlink()
    book = Book.create(str(made))
    with (folder / "customers.csv").open("w", encoding="utf-8") as out:
        out.write("customer,name,country\n")
        out.writelines(f'{k},"{n}",DE\n' for k, n in names.items())
    with (folder / "invoices.csv").open("w", encoding="utf-8") as out:
        out.write("customer,number,issue_date,due_date,amount,currency,reference\n")
        out.writelines(
            f"{i.customer},{i.number},{i.issue_date},{i.due_date},"
            f"{i.open_minor // 100}.{i.open_minor % 100:02d},EUR,{i.reference}\n"
            for i in invoices
        )
    for kind, name in ((Kind.CUSTOMERS, "customers.csv"), (Kind.INVOICES, "invoices.csv")):
        report = importing.import_file(book, kind, folder / name, Options())
        assert report.ok, report.problems[:3]
    with book.write() as conn:
        ids = bank_match_repo.customer_ids(conn, known)
        at = datetime.now(UTC)
        for customer, accounts in known.items():
            for iban in accounts:
                bank_match_repo.learn_iban(conn, ids[customer], iban, None, at)  # type: ignore[arg-type]
    with book.engine.connect() as conn:  # the whole book in the one file that is copied
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    book.close()
    made.rename(pristine)


def through_book(folder: Path, invoices, names, ibans, known, cases, seed: int) -> None:
    """The same statement imported into a real SQLite book with these invoices by
    `recoup bank import` itself, in a process of its own as a user runs it (the
    figure includes the command's start): its lines stored, matched and applied.

    The book before the statement is kept beside it (`book-<invoices>-<seed>.db`) and
    copied for each measurement: making a million-invoice book takes minutes, and every
    measurement then starts from the same file."""
    import json
    import shutil
    import subprocess
    import sys

    from recoup.services.book import Book

    folder.mkdir(parents=True, exist_ok=True)
    db = folder / "bank-bench.db"
    pristine = folder / f"book-{len(invoices)}-{seed}.db"
    for stale in folder.glob("bank-bench.db*"):
        stale.unlink()
    t0 = time.perf_counter()
    if not pristine.exists():
        make_sqlite_book(folder, pristine, invoices, names, known)
    t1 = time.perf_counter()
    shutil.copyfile(pristine, db)
    with (folder / "statement.csv").open("w", encoding="utf-8") as out:
        out.write("date,amount,currency,name,iban,purpose,reference,transaction id\n")
        for n, c in enumerate(cases):
            line = c.line
            minor = line.amount_minor if line.is_credit else -abs(line.amount_minor)
            amount = f"{'-' if minor < 0 else ''}{abs(minor) // 100}.{abs(minor) % 100:02d}"
            row = [str(line.on), amount, "EUR", line.payer_name, line.payer_iban, line.text]
            row += [line.reference, f"T{n}"]
            out.write(",".join('"' + v.replace('"', '""') + '"' for v in row) + "\n")
    recoup = str(Path(sys.executable).with_name("recoup"))
    command = [recoup, "--db", str(db), "bank", "import", str(folder / "statement.csv")]
    command += ["--account", "DE0BENCH", "--json"]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t2 = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    t3 = time.perf_counter()
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    assert done.returncode == 0, done.stderr[-2000:]
    report = json.loads(done.stdout)
    cpu = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
    book = Book.open(str(db))
    with book.read() as conn:
        rows = conn.exec_driver_sql(
            "SELECT l.transaction_id, p.invoice_number FROM bank_lines l "
            "JOIN payments p ON p.key LIKE 'bank:' || l.id || ':%' "
            "WHERE l.state = 'applied' AND p.invoice_number IS NOT NULL"
        ).all()
    paid: dict[int, set[str]] = {}
    for tid, number in rows:
        paid.setdefault(int(str(tid)[1:]), set()).add(str(number))
    wrong = sum(1 for n, numbers in paid.items() if frozenset(numbers) != cases[n].truth)
    print()
    print(f"through a SQLite book of {len(invoices):,} invoices ({folder / 'bank-bench.db'})")
    print(f"{'book made or found (not timed below) (s)':<44}{t1 - t0:>10.2f}")
    print(f"{'lines':<44}{report['lines']:>10,}")
    print(
        f"{'applied / suggested / unmatched':<44}{report['applied']:>6,} / "
        f"{report['suggested']:,} / {report['unmatched']:,}"
    )
    print(f"{'wrong automatic applications':<44}{wrong:>10,}")
    print(f"{'':<44}{'wall s':>10}{'CPU s':>10}")
    print(f"{'recoup bank import, a process of its own':<44}{t3 - t2:>10.2f}{cpu:>10.2f}")
    # the largest child's peak: the import's, unless an earlier child of the bench was larger
    print(f"{'peak memory of a child process (MB)':<44}{after.ru_maxrss / 1024:>10.0f}")
    book.close()


if __name__ == "__main__":
    main()
