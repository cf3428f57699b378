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

from jinja2 import Environment, PackageLoader, StrictUndefined, Template, nodes, select_autoescape
from jinja2.exceptions import (
    SecurityError,
    TemplateError,
    TemplateSyntaxError,
    UndefinedError,
)
from jinja2.sandbox import ImmutableSandboxedEnvironment
from markupsafe import Markup, escape

from recoup.messages.context import Business
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


# --- the business details a template needs ---------------------------------------------

SETTING_OF: dict[str, str] = {
    "name": "RECOUP_BUSINESS_NAME",
    "address": "RECOUP_BUSINESS_ADDRESS",
    "phone": "RECOUP_BUSINESS_PHONE",
    "email": "RECOUP_BUSINESS_EMAIL",
    "website": "RECOUP_BUSINESS_WEBSITE",
    "bank": "RECOUP_BUSINESS_BANK",
    "signature": "RECOUP_BUSINESS_NAME",  # the signature falls back to the name
    "payment_link": "RECOUP_PAYMENT_LINK",
}
"""Each `business.<key>` a template can print, and the setting that gives it."""

SETTINGS_ORDER = tuple(dict.fromkeys(SETTING_OF.values()))
FRAME_EMAIL = frozenset({"name"})  # the HTML part's heading and the sender's name
FRAME_LETTER = frozenset({"name", "address"})  # the letterhead and the window's return line
_NODE = nodes.Node


def missing_details(source: str, business: Business, *, letter: bool = False) -> tuple[str, ...]:
    """The settings (environment variable names, in SETTINGS_ORDER) of the business
    details `source` prints that `business` leaves unset. A message from it must not go
    until they are set: it would read "call ." or "call us on and".

    A detail counts when the template prints it whatever the account's data; one
    printed only under a test of itself (`{% if business.payment_link %}...{% endif %}`,
    `business.phone or "..."`, `... if business.phone else ...`) is optional. The
    signature falls back to the name, so it is missing only when both are unset (and
    reported as RECOUP_BUSINESS_NAME). Every message also needs the name (the email's
    heading and sender name, the letterhead); `letter=True` (a posted letter, or the
    statement PDF an email carries) adds the address for the letterhead and the return
    line. Raises TemplateProblem when the template does not parse."""
    needed = business_uses(source) | (FRAME_LETTER if letter else FRAME_EMAIL)
    gaps = {SETTING_OF[key] for key in needed if not _is_set(business, key)}
    return tuple(s for s in SETTINGS_ORDER if s in gaps)


def _is_set(business: Business, key: str) -> bool:
    if key == "signature":
        return bool(business.signature.strip() or business.name.strip())
    return bool(str(getattr(business, key)).strip())


@lru_cache(maxsize=256)
def business_uses(source: str) -> frozenset[str]:
    """The `business` keys (SETTING_OF) the subject or the body of a template prints
    unconditionally, read from Jinja2's syntax tree (not from the text: a `{# comment #}`
    or a test of a detail is not a use)."""
    parsed = parse_source(source)
    found: set[str] = set()
    for text, first in ((parsed.subject, 1), (parsed.body, parsed.body_line)):
        try:
            tree = sandbox().parse(text)
        except TemplateSyntaxError as err:
            raise TemplateProblem(
                f"template syntax: {err.message}", _line(err.lineno, first)
            ) from None
        _Uses(found).visit_all(tree.body, frozenset())
    return frozenset(found & SETTING_OF.keys())


class _Uses:
    """Walks a template's nodes, noting each `business.<key>` printed outside a test of
    that key. `guarded`: the keys known to be set where the walk is."""

    def __init__(self, found: set[str]) -> None:
        self.found = found
        self.aliases: dict[str, str] = {}  # {% set x = business.key %}: x -> key

    def visit_all(self, body: list[_NODE], guarded: frozenset[str]) -> None:
        for node in body:
            self.visit(node, guarded)

    def visit(self, node: _NODE, guarded: frozenset[str]) -> None:
        key = self.key(node)
        if key is not None:
            if key not in guarded:
                self.found.add(key)
            return
        if isinstance(node, nodes.If):
            self.visit_if(node, guarded)
        elif isinstance(node, nodes.CondExpr):
            self.visit(node.expr1, guarded | self.truthy(node.test))
            if node.expr2 is not None:
                self.visit(node.expr2, guarded | self.falsy(node.test))
        elif isinstance(node, nodes.Or):
            self.visit_tested(node.left, guarded)
            self.visit(node.right, guarded | self.falsy(node.left))
        elif isinstance(node, nodes.And):
            self.visit_tested(node.left, guarded)
            self.visit(node.right, guarded | self.truthy(node.left))
        elif isinstance(node, nodes.Filter) and _is_default(node):
            if node.node is not None:
                self.visit_tested(node.node, guarded)
            for arg in node.args:
                self.visit(arg, guarded)
        elif isinstance(node, nodes.Assign) and isinstance(node.target, nodes.Name):
            key = self.key(node.node)
            if key is not None:
                self.aliases[node.target.name] = key
            else:
                self.aliases.pop(node.target.name, None)
                self.visit(node.node, guarded)
        else:
            for child in node.iter_child_nodes():
                self.visit(child, guarded)

    def visit_if(self, node: nodes.If, guarded: frozenset[str]) -> None:
        otherwise = guarded  # what the earlier tests' failing tells the later branches
        for branch in [node, *node.elif_]:  # a test prints nothing: not walked
            self.visit_all(branch.body, otherwise | self.truthy(branch.test))
            otherwise = otherwise | self.falsy(branch.test)
        self.visit_all(node.else_, otherwise)

    def visit_tested(self, node: _NODE, guarded: frozenset[str]) -> None:
        """The left side of `or`, `and`, `default(..., true)`: a bare detail there is
        replaced when empty (no use); anything else in it is walked as usual."""
        if self.key(node) is None:
            self.visit(node, guarded)

    def key(self, node: _NODE | None) -> str | None:
        """The business key `node` stands for: business.key, business["key"], or a
        name set to one of those."""
        if isinstance(node, nodes.Name):
            return self.aliases.get(node.name)
        if isinstance(node, nodes.Getattr):
            inner, attr = node.node, node.attr
        elif isinstance(node, nodes.Getitem) and isinstance(node.arg, nodes.Const):
            inner, attr = node.node, node.arg.value
        else:
            return None
        if isinstance(inner, nodes.Name) and inner.name == "business" and isinstance(attr, str):
            return attr
        return None

    def truthy(self, test: _NODE) -> frozenset[str]:
        """The keys known to be set (non-empty) when `test` holds."""
        key = self.key(test)
        if key is not None:
            return frozenset({key})
        if isinstance(test, nodes.And):
            return self.truthy(test.left) | self.truthy(test.right)
        if isinstance(test, nodes.Or):
            return self.truthy(test.left) & self.truthy(test.right)
        if isinstance(test, nodes.Not):
            return self.falsy(test.node)
        if isinstance(test, nodes.Filter) and test.name in ("trim", "length", "count", "string"):
            return self.truthy(test.node) if test.node is not None else frozenset()
        return frozenset()

    def falsy(self, test: _NODE) -> frozenset[str]:
        """The keys known to be set when `test` fails."""
        if isinstance(test, nodes.Not):
            return self.truthy(test.node)
        if isinstance(test, nodes.Or):
            return self.falsy(test.left) | self.falsy(test.right)
        if isinstance(test, nodes.And):
            return self.falsy(test.left) & self.falsy(test.right)
        return frozenset()


def _is_default(node: nodes.Filter) -> bool:
    """`x | default(y, true)`: y stands in for an empty x."""
    if node.name not in ("default", "d"):
        return False
    flag = node.args[1] if len(node.args) > 1 else None
    for kw in node.kwargs:
        if kw.key == "boolean":
            flag = kw.value
    return isinstance(flag, nodes.Const) and bool(flag.value)
