"""Rendering a message template in a sandbox: subject, plain text and HTML.

A template file is an email's text with one header line:

    Subject: Invoice {{ invoice_numbers }} is now overdue

    Dear {{ contact.name }},
    ...
    {{ table }}
    ...

The body is plain text with Jinja2 expressions. `{{ table }}` (on a line of its own)
stands for the itemised table of invoices with principal, interest, fees and total;
the HTML part is made from the same text by a fixed layout, so every template has both
parts and they always say the same thing.

Templates can be edited by the business, so they run in Jinja2's immutable sandbox
with no loader (no include, import or extends: no files), no globals beyond `range`,
and strict undefined names: a template sees only the message's data. Every way a
template can go wrong ends as a `TemplateProblem` with a line number and a reason.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache, lru_cache
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined, Template, select_autoescape
from jinja2.exceptions import (
    SecurityError,
    TemplateError,
    TemplateSyntaxError,
    UndefinedError,
)
from jinja2.sandbox import ImmutableSandboxedEnvironment
from markupsafe import Markup, escape

from recoup.messages.labels import TABLE_MARK

MAX_OUTPUT = 200_000  # characters: a message longer than this is a mistake


class TemplateProblem(Exception):  # noqa: N818 - a problem of the template, shown as is
    """A template that cannot be rendered: bad syntax, or it tried something forbidden."""

    def __init__(self, reason: str, line: int | None = None) -> None:
        super().__init__(reason if line is None else f"line {line}: {reason}")
        self.reason = reason
        self.line = line


@dataclass(frozen=True)
class Source:
    """A template file split into its subject and body (`body_line`: the file line
    on which the body starts)."""

    subject: str
    body: str
    body_line: int


@dataclass(frozen=True)
class Rendered:
    subject: str
    text: str
    html: str
    marked: str  # the text with TABLE_MARK where the table goes (for letters)


_SUBJECT = re.compile(r"^subject:[ \t]*(?P<subject>.*)$", re.IGNORECASE)


def parse_source(source: str) -> Source:
    """Split a template file; a file must start with a `Subject:` line."""
    lines = source.replace("\r\n", "\n").split("\n")
    first = 0
    while first < len(lines) and _only_comment(lines[first]):
        first += 1
    found = _SUBJECT.match(lines[first]) if first < len(lines) else None
    if found is None:
        raise TemplateProblem(
            "a template starts with a line 'Subject: ...' (the email's subject)", first + 1
        )
    body_start = first + 1
    if body_start < len(lines) and not lines[body_start].strip():
        body_start += 1
    return Source(found["subject"], "\n".join(lines[body_start:]), body_start + 1)


def _only_comment(line: str) -> bool:
    stripped = line.strip()
    return stripped.startswith("{#") and stripped.endswith("#}")


@cache
def sandbox() -> ImmutableSandboxedEnvironment:
    """The one sandbox every template runs in."""
    env = ImmutableSandboxedEnvironment(
        loader=None,
        undefined=StrictUndefined,
        autoescape=False,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=False,
    )
    # cycler, joiner, namespace, lipsum and dict are Python objects a template could
    # use as a way in; range is the only one a message needs (and the sandbox caps it).
    for name in list(env.globals):
        if name != "range":
            del env.globals[name]
    return env


@lru_cache(maxsize=256)
def _compiled(template_text: str) -> Template:
    return sandbox().from_string(template_text)


def _run(template_text: str, context: Mapping[str, Any], first_line: int) -> str:
    try:
        out = _compiled(template_text).render(dict(context))
    except TemplateSyntaxError as err:
        raise TemplateProblem(
            f"template syntax: {err.message}", _line(err.lineno, first_line)
        ) from None
    except SecurityError as err:
        raise TemplateProblem(
            f"not allowed in a template: {err} (templates see only the message's data)",
            _line(_traceback_line(err), first_line),
        ) from None
    except UndefinedError as err:
        raise TemplateProblem(
            f"unknown name: {err.message} (a template sees only the message's data; "
            "see the list of names in recoup/messages/docs.md)",
            _line(_traceback_line(err), first_line),
        ) from None
    except TemplateError as err:
        raise TemplateProblem(
            f"template error: {err}", _line(_traceback_line(err), first_line)
        ) from None
    except TypeError as err:
        if "no loader" in str(err):
            raise TemplateProblem(
                "templates cannot include, import or extend other files", None
            ) from None
        raise TemplateProblem(
            f"template error: {err}", _line(_traceback_line(err), first_line)
        ) from None
    except (ValueError, ArithmeticError, LookupError, AttributeError, OverflowError) as err:
        raise TemplateProblem(
            f"template error: {err}", _line(_traceback_line(err), first_line)
        ) from None
    if len(out) > MAX_OUTPUT:
        raise TemplateProblem(f"the message is longer than {MAX_OUTPUT} characters")
    return out


def _line(line: int | None, first_line: int) -> int | None:
    return None if line is None else line + first_line - 1


def _traceback_line(err: BaseException) -> int | None:
    """The template line an error came from (Jinja2 rewrites tracebacks to point there)."""
    tb = err.__traceback__
    line = None
    while tb is not None:
        if tb.tb_frame.f_code.co_filename == "<template>":
            line = tb.tb_lineno
        tb = tb.tb_next
    return line


def render(source: str, context: Mapping[str, Any], table_text: str, table_html: str) -> Rendered:
    """The message: subject, plain text and HTML (the layout around the text)."""
    parsed = parse_source(source)
    subject = " ".join(_run(parsed.subject, context, 1).split())
    if not subject:
        raise TemplateProblem("the subject is empty", 1)
    body = _run(parsed.body, context, parsed.body_line)
    body = re.sub(r"[ \t]+\n", "\n", body)
    body = re.sub(r"\n{3,}", "\n\n", body).strip("\n") + "\n"
    text = body.replace(TABLE_MARK, table_text.rstrip("\n"))
    html = layout().render(
        subject=subject,
        paragraphs=_paragraphs(body, Markup(table_html)),
        lang=str(context.get("lang", "en")),
        business=context.get("business", {}),
    )
    return Rendered(subject, text, html, body)


_URL = re.compile(r"https?://[^\s<>\"]+[^\s<>\".,;:!?)]")


def _paragraphs(body: str, table_html: Markup) -> list[Markup]:
    """The body as HTML blocks: escaped paragraphs, links made clickable, the table."""
    out: list[Markup] = []
    for block in re.split(r"\n\s*\n", body.strip("\n")):
        if TABLE_MARK in block:
            before, _, after = block.partition(TABLE_MARK)
            if before.strip():
                out.append(_para(before))
            out.append(table_html)
            if after.strip():
                out.append(_para(after))
            continue
        out.append(_para(block))
    return out


def _para(block: str) -> Markup:
    lines = [_link(line.strip()) for line in block.strip("\n").split("\n")]
    return Markup("<p>{}</p>").format(Markup("<br>\n").join(lines))


def _link(line: str) -> Markup:
    parts: list[Markup] = []
    end = 0
    for found in _URL.finditer(line):
        parts.append(escape(line[end : found.start()]))
        url = found.group()
        parts.append(Markup('<a href="{0}">{0}</a>').format(url))
        end = found.end()
    parts.append(escape(line[end:]))
    return Markup("").join(parts)


@cache
def _layout_env() -> Environment:
    # not a sandbox: the layout is Recoup's own file; what comes in is escaped
    return Environment(
        loader=PackageLoader("recoup.messages", "layout"),
        autoescape=select_autoescape(["html"]),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def layout() -> Any:
    return _layout_env().get_template("email.html")
