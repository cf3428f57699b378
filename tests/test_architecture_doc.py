"""docs/architecture.md matches the code: every package it names exists, and every
package under src/recoup is named in it."""

from __future__ import annotations

import re
from importlib.util import find_spec
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "architecture.md"
SRC = ROOT / "src"
NAMED = re.compile(r"`(recoup(?:\.[a-z_]+)*)")  # `recoup.x.y` (a module, maybe a name after)


def packages() -> set[str]:
    """Every package of src/recoup (a folder with an __init__.py; migrations are data)."""
    return {
        ".".join(init.parent.relative_to(SRC).parts)
        for init in (SRC / "recoup").rglob("__init__.py")
        if "migrations" not in init.parts
    }


def named() -> set[str]:
    return set(NAMED.findall(DOC.read_text(encoding="utf-8")))


def test_every_package_is_in_the_doc() -> None:
    missing = sorted(packages() - named())
    assert not missing, f"docs/architecture.md does not name: {', '.join(missing)}"


def test_every_name_in_the_doc_is_a_module_or_what_one_holds() -> None:
    """`recoup.x.y` is a package or module, or a name a module holds (`...review_all`)."""
    unknown = []
    for name in sorted(named()):
        module, _, attribute = name.rpartition(".")
        if (SRC / Path(*name.split("."))).is_dir() or (
            SRC / f"{name.replace('.', '/')}.py"
        ).is_file():
            continue
        spec = find_spec(module) if module else None
        if spec is None or spec.origin is None:
            unknown.append(name)
            continue
        source = Path(spec.origin).read_text(encoding="utf-8")
        if not re.search(rf"\b{re.escape(attribute)}\b", source):
            unknown.append(name)
    assert not unknown, f"docs/architecture.md names what is not in the code: {unknown}"
