"""Rendering 1,000 PDF letters (target: <= 30 s on 2 cores): the letter-before-action
template rendered in the sandbox and laid out with reportlab, in three languages and
both paper sizes, for accounts of 1 to 40 invoices. Prints a table.

    .venv/bin/python bench/letters.py [--letters 1000]
"""

from __future__ import annotations

import argparse
import random
import time
from dataclasses import replace
from datetime import date, timedelta

from recoup.domain.money import Money
from recoup.letters.pdf import render_letter
from recoup.messages import catalogue
from recoup.messages.context import Item, sample, table_html, table_text, template_context
from recoup.messages.render import render


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--letters", type=int, default=1000)
    args = parser.parse_args()
    rng = random.Random(1)
    bases = {lang: sample(lang) for lang in ("en", "de", "fr")}
    sources = {lang: catalogue.builtin_source("letter-before-action", lang) or "" for lang in bases}
    jobs = []
    for n in range(args.letters):
        lang = ("en", "de", "fr")[n % 3]
        base = bases[lang]
        count = rng.choice((1, 1, 2, 3, 5, 8, 40))
        items = tuple(
            Item(
                f"INV-{n:05d}-{k:02d}",
                date(2026, 1, 1) + timedelta(days=k),
                date(2026, 2, 1) + timedelta(days=k),
                Money(rng.randint(5_00, 5_000_00), base.currency),
                Money(rng.randint(1_00, 5_00), base.currency),
            )
            for k in range(count)
        )
        jobs.append((lang, replace(base, items=items, customer_key=f"C{n:06d}")))
    t0 = time.perf_counter()
    text_time = pdf_time = 0.0
    size = pages = 0
    for lang, data in jobs:
        a = time.perf_counter()
        r = render(sources[lang], template_context(data), table_text(data), table_html(data))
        b = time.perf_counter()
        pdf = render_letter(data, r.subject, r.marked)
        pdf_time += time.perf_counter() - b
        text_time += b - a
        size += len(pdf)
        pages += pdf.count(b"/Type /Page\n") or pdf.count(b"/Type /Page")
    total = time.perf_counter() - t0
    print(f"{'letters':<28}{len(jobs):>12,}")
    print(f"{'pages (approx.)':<28}{pages:>12,}")
    print(f"{'render templates (s)':<28}{text_time:>12.2f}")
    print(f"{'lay out PDFs (s)':<28}{pdf_time:>12.2f}")
    print(f"{'total (s)':<28}{total:>12.2f}   target <= 30 s")
    print(f"{'per letter (ms)':<28}{total / len(jobs) * 1000:>12.1f}")
    print(f"{'PDF bytes, average':<28}{size // len(jobs):>12,}")


if __name__ == "__main__":
    main()
