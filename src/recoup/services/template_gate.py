"""The tone gate: may messages made from a template's text be delivered?

Every text a message can be made from (built-in, saved in the store, or in the
templates folder) passes the same tone check, with the plan in force and the
template's own text (no account's figures). A text with findings holds its messages
until an owner signs off that exact version: the sign-off names the text's sha256, so
an edited text is checked afresh and held again. Sign-offs are kept, with who and when
and the findings they accepted, in `template_signoffs`.

Delivery asks `gate(...)` for each message's template and language; `held_templates`
lists every held text for `recoup template list`, the Templates page and the doctor.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy.engine import Connection

from recoup.domain.policy import Policy
from recoup.messages import catalogue, tone
from recoup.messages.labels import LANGUAGES
from recoup.services import templates
from recoup.services.book import Book
from recoup.services.policy import active_policy
from recoup.services.users import Role
from recoup.settings import Settings
from recoup.store import messages_repo

__all__ = [
    "Gate",
    "SignOffRefusedError",
    "VersionChangedError",
    "approve",
    "check",
    "checksum",
    "gate",
    "held_templates",
    "template_names",
]


class SignOffRefusedError(PermissionError):
    """Only an owner may sign off a template that the tone check flags."""


class VersionChangedError(ValueError):
    """The text in force is not the version the owner was shown."""


@dataclass(frozen=True)
class Gate:
    name: str
    language: str
    origin: str  # "edited", "folder" or "built-in"
    source: str
    checksum: str  # sha256 of the source (hex)
    findings: tuple[tone.Finding, ...]
    signed_off: bool  # an owner signed off this exact text

    @property
    def held(self) -> bool:
        """Messages from this text wait: the tone check flags it and no owner signed it off."""
        return bool(self.findings) and not self.signed_off

    def reason(self) -> str:
        """Why messages from this text wait (held), or what the gate found (not held)."""
        which = f"template {self.name} ({self.language}, {self.origin})"
        if not self.findings:
            return f"{which} passes the tone check"
        count = len(self.findings)
        found = f"{count} tone finding{'' if count == 1 else 's'}"
        if self.signed_off:
            return f"{which} has {found}, signed off by an owner for this version"
        listed = "; ".join(f"line {f.line}: {f.reason}" for f in self.findings)
        return (
            f"{which} has {found} ({listed}): an owner must sign off this version "
            f"(recoup template approve {self.name} --language {self.language})"
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "language": self.language,
            "origin": self.origin,
            "checksum": self.checksum,
            "findings": [
                {"line": f.line, "kind": f.kind, "reason": f.reason} for f in self.findings
            ],
            "signed_off": self.signed_off,
            "held": self.held,
            "reason": self.reason(),
        }


def checksum(source: str) -> str:
    return hashlib.sha256(source.encode("utf-8")).hexdigest()


def gate(
    conn: Connection, name: str, language: str, policy: Policy, settings: Settings | None
) -> Gate:
    """The tone gate of the text a message from template `name` in `language` is made
    from today. Raises NotFoundError for a template that exists nowhere."""
    source, origin = templates.template_source(conn, name, language, settings)
    ctx = templates.lint_context(policy, name, language=language)
    findings = tuple(tone.lint(source, ctx))
    digest = checksum(source)
    signed = bool(findings) and messages_repo.find_signoff(conn, name, digest) is not None
    return Gate(name, language, origin, source, digest, findings, signed)


def check(book: Book, name: str, language: str, settings: Settings | None) -> Gate:
    """The gate of a template's text in force, with the plan in force (its own read)."""
    _version, policy = active_policy(book)
    with book.read() as conn:
        return gate(conn, name, language, policy, settings)


def approve(
    book: Book,
    name: str,
    language: str,
    *,
    user: str,
    role: Role | str,
    at: datetime,
    settings: Settings | None = None,
    expected: str | None = None,
) -> Gate:
    """An owner signs off the text now in force for `name` in `language`, with its
    findings: messages from this exact text may go out. Signing off a text twice, or a
    text with no findings, changes nothing. Raises SignOffRefusedError for anyone but an
    owner, NotFoundError for an unknown template, ValueError for an unknown language, and
    VersionChangedError when `expected` (the checksum of the version the owner saw) is
    not the text in force. `settings` says where the templates folder is (None: none)."""
    if str(role) != Role.OWNER.value:
        raise SignOffRefusedError(
            f"only an owner may sign off a template; {user} is a {role or 'user without a role'}"
        )
    if language not in LANGUAGES:
        raise ValueError(f"language must be one of {', '.join(LANGUAGES)}")
    _version, policy = active_policy(book)
    with book.write() as conn:
        found = gate(conn, name, language, policy, settings)
        if expected is not None and expected != found.checksum:
            raise VersionChangedError(
                f"template {name} ({language}) changed since it was shown; check it again"
            )
        if not found.findings or found.signed_off:
            return found
        listed = "\n".join(f"line {f.line}: {f.reason}" for f in found.findings)
        messages_repo.add_signoff(conn, name, language, found.checksum, listed, user, at)
    return replace(found, signed_off=True)


def template_names(conn: Connection, settings: Settings | None) -> list[str]:
    """Every template in use: the built-in ones, then those saved or in the folder."""
    names = [t.name for t in catalogue.TEMPLATES]
    others = {r["name"] for r in messages_repo.list_templates(conn)}
    folder = _folder(settings)
    if folder is not None:
        for lang in LANGUAGES:
            if (folder / lang).is_dir():
                others.update(p.stem for p in (folder / lang).glob("*.txt") if p.is_file())
    return names + sorted(others - set(names))


def held_templates(book: Book, settings: Settings | None) -> list[Gate]:
    """Every template text in use, in every language it has a text of its own, that the
    tone check flags and no owner has signed off: their messages wait."""
    _version, policy = active_policy(book)
    held = []
    with book.read() as conn:
        for name in template_names(conn, settings):
            for lang in LANGUAGES:
                if _has_text(conn, name, lang, settings):
                    found = gate(conn, name, lang, policy, settings)
                    if found.held:
                        held.append(found)
    return held


def _folder(settings: Settings | None) -> Path | None:
    if settings is None or not settings.templates_dir:
        return None
    return Path(settings.templates_dir)


def _has_text(conn: Connection, name: str, language: str, settings: Settings | None) -> bool:
    """Whether a template has a text of its own in a language (else it falls back to
    English, whose text is checked as English)."""
    if messages_repo.get_template(conn, name, language) is not None:
        return True
    folder = _folder(settings)
    if folder is not None and (folder / language / f"{name}.txt").is_file():
        return True
    return catalogue.builtin_source(name, language) is not None
