"""How fast the `recoup` command starts: `recoup --help` and the light commands.

Targets (DESIGN.md, issue 15): `recoup --help` within 0.4 s of Python's own start, and
`aging`, `account CUSTOMER` and `worklist` on the demo book under 0.8 s. Every command
runs as a process of its own, as a person runs it, timed by the wall clock from start to
exit; each one `--runs` times, in turn with the others (a shared machine's load then
falls on all alike), and the median is reported, with the fastest run beside it.
`python -c pass` is the baseline. Then `python -X importtime` shows what each command
imports, and the largest imports.

    python bench/startup.py [--runs 9] [--book PATH]

Without --book it makes the demo book first (`recoup demo --no-serve`, about a minute)
in a temporary folder. It exits 1 when a median misses its target.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

PYTHON = sys.executable
RECOUP = str(Path(PYTHON).with_name("recoup"))
HELP_TARGET = 0.4  # seconds beyond Python's own start
LIGHT_TARGET = 0.8  # seconds, all in
IMPORT_LINE = re.compile(r"^import time:\s+(\d+) \|\s+(\d+) \|( *)(\S+)$")


@dataclass
class Timing:
    name: str
    argv: list[str]
    times: list[float] = field(default_factory=list)
    cpu: list[float] = field(default_factory=list)

    @property
    def median(self) -> float:
        return statistics.median(self.times)

    def run(self, env: dict[str, str]) -> None:
        took, cpu = run_once(self.argv, env)
        self.times.append(took)
        self.cpu.append(cpu)


def run_once(argv: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Seconds from start to exit, and the CPU seconds the process used (user and
    system: less moved by other work on the machine than the wall clock)."""
    start = time.perf_counter()
    proc = subprocess.Popen(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(proc.pid, 0)
    took = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        err = subprocess.run(argv, env=env, capture_output=True, check=False).stderr
        raise SystemExit(f"{' '.join(argv)} failed ({proc.returncode}): {err[-500:]!r}")
    return took, usage.ru_utime + usage.ru_stime


def make_demo_book(folder: Path, env: dict[str, str]) -> Path:
    book = folder / "recoup.db"
    print(f"making the demo book in {folder} (recoup demo --no-serve) ...", flush=True)
    subprocess.run(
        [RECOUP, "--db", str(book), "demo", "--no-serve"],
        env=env,
        cwd=folder,
        capture_output=True,
        check=True,
    )
    return book


def largest_overdue(book: Path, env: dict[str, str]) -> str:
    out = subprocess.run(
        [RECOUP, "--db", str(book), "customers", "--sort", "overdue", "--desc", "--json"],
        env=env,
        capture_output=True,
        check=True,
        text=True,
    ).stdout
    return str(json.loads(out)["customers"][0]["customer"])


def imports_of(args: list[str], env: dict[str, str]) -> tuple[float, list[tuple[float, str]]]:
    """`python -X importtime` over the command: the seconds all imports took, and the
    packages by what their modules took themselves (sqlalchemy.*, typer.* ...)."""
    code = (
        "import sys\n"
        f"sys.argv = ['recoup', *{args!r}]\n"
        "from recoup.cli.app import main\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
    )
    done = subprocess.run(
        [PYTHON, "-X", "importtime", "-c", code], env=env, capture_output=True, text=True
    )
    by_package: dict[str, float] = {}
    total = 0.0
    for line in done.stderr.splitlines():
        m = IMPORT_LINE.match(line)
        if not m:
            continue
        own, name = int(m[1]) / 1e6, m[4]
        total += own
        parts = name.split(".")
        package = ".".join(parts[:2]) if parts[0] == "recoup" else parts[0]  # recoup.store
        by_package[package] = by_package.get(package, 0.0) + own
    ranked = sorted(((s, n) for n, s in by_package.items()), reverse=True)
    return total, ranked


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    return (
        f"{cpu}, {os.cpu_count()} CPUs; Python {platform.python_version()}; "
        f"{platform.system()} {platform.release()}; load average {load}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=9, help="runs of each command")
    parser.add_argument("--book", type=Path, help="a demo book (else one is made)")
    args = parser.parse_args()
    env = {k: v for k, v in os.environ.items() if not k.startswith("RECOUP_")}
    env["COLUMNS"] = "100"
    with tempfile.TemporaryDirectory(prefix="recoup-startup-") as tmp:
        book = args.book or make_demo_book(Path(tmp), env)
        db = ["--db", str(book)]
        customer = largest_overdue(book, env)
        timings = [
            Timing("python -c pass", [PYTHON, "-c", "pass"]),
            Timing("recoup --help", [RECOUP, "--help"]),
            Timing("recoup aging", [RECOUP, *db, "aging"]),
            Timing(f"recoup account {customer}", [RECOUP, *db, "account", customer]),
            Timing("recoup worklist", [RECOUP, *db, "worklist"]),
        ]
        for t in timings:  # once each, unmeasured: the files are in the page cache then
            run_once(t.argv, env)
        for _ in range(args.runs):
            for t in timings:
                t.run(env)
        importing = {
            "recoup --help": imports_of(["--help"], env),
            "recoup aging": imports_of([*db, "aging"], env),
            "recoup worklist": imports_of([*db, "worklist"], env),
        }
    base = timings[0].median
    print(f"\n{date.today()}  {machine()}")
    print(f"{args.runs} runs each, in turn; seconds from start to exit (median, fastest),")
    print("and the CPU seconds of the process (median)\n")
    print(f"| {'command':<26} | median | fastest | over Python |    CPU | {'target':<20} | met |")
    print(f"|{'-' * 28}|--------|---------|-------------|--------|{'-' * 22}|-----|")
    missed = False
    for t in timings:
        if t.name == "python -c pass":
            target, ok = "(the baseline)", None
        elif t.name == "recoup --help":
            target, ok = f"<= {HELP_TARGET} s over Python", t.median - base <= HELP_TARGET
        else:
            target, ok = f"<= {LIGHT_TARGET} s", t.median <= LIGHT_TARGET
        missed = missed or ok is False
        met = "" if ok is None else ("yes" if ok else "NO")
        print(
            f"| {t.name:<26} | {t.median:6.3f} | {min(t.times):7.3f} | "
            f"{t.median - base:11.3f} | {statistics.median(t.cpu):6.3f} | {target:<20} | {met:<3} |"
        )
    print("\nImports (python -X importtime; seconds; the packages whose modules took most):")
    for name, (total, ranked) in importing.items():
        top = ", ".join(f"{pkg} {s:.3f}" for s, pkg in ranked[:7])
        print(f"  {name}: {total:.3f} s in all; {top}")
    sys.exit(1 if missed else 0)


if __name__ == "__main__":
    main()
