"""The built-in templates: one file per template and language in `builtin/<lang>/`."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from recoup.messages.labels import LANGUAGES

BUILTIN = Path(__file__).parent / "builtin"


@dataclass(frozen=True)
class TemplateInfo:
    name: str
    purpose: str
    letter: bool = False  # printed and posted rather than emailed
    statement: bool = False  # the email carries the statement of account as a PDF


TEMPLATES: tuple[TemplateInfo, ...] = (
    TemplateInfo("reminder-before-due", "a friendly note a few days before the due date"),
    TemplateInfo("overdue-friendly", "a friendly reminder soon after the due date"),
    TemplateInfo("overdue-firm", "a firm reminder", statement=True),
    TemplateInfo("final-notice", "the final notice by email", statement=True),
    TemplateInfo(
        "letter-before-action", "the final notice by post (letter before action)", letter=True
    ),
    TemplateInfo("promise-confirmation", "confirms a promise to pay"),
    TemplateInfo("promise-broken", "follows up a promise that was not kept"),
    TemplateInfo("plan-confirmation", "confirms a payment plan and its instalments"),
    TemplateInfo("installment-reminder", "reminds of the next instalment of a plan"),
    TemplateInfo("settlement-offer", "offers to settle for less, by a date"),
    TemplateInfo("dispute-acknowledgement", "acknowledges a dispute and pauses reminders"),
    TemplateInfo("statement", "the statement of account", statement=True),
)

BY_NAME = {t.name: t for t in TEMPLATES}


def info(name: str) -> TemplateInfo:
    """What a template is for; a name Recoup does not ship is an email of its own."""
    return BY_NAME.get(name, TemplateInfo(name, "a template of your own"))


def builtin_path(name: str, language: str) -> Path:
    return BUILTIN / language / f"{name}.txt"


def builtin_source(name: str, language: str) -> str | None:
    """The shipped text of a template, or None when Recoup ships no such template."""
    if language not in LANGUAGES or "/" in name or "\\" in name or name.startswith("."):
        return None
    path = builtin_path(name, language)
    return path.read_text(encoding="utf-8") if path.is_file() else None
