"""What of the web templates a person sees and no translation call wraps: the text
between tags, the attributes people read (title, placeholder, aria-label, alt, a
button's value), and string literals a template prints or sets for printing. Read
from each template's parsed tree (jinja2), the HTML by `html.parser`; text inside
`{% trans %}` and `_()` is translated and not looked at."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

from jinja2 import Environment, nodes

TEMPLATES = Path(__file__).resolve().parents[1] / "src" / "recoup" / "web" / "templates"
HOLE = re.compile("\ue000(\\d+)\ue001")  # where an expression's value goes (its number)
LETTER = re.compile(r"[^\W\d_]", re.UNICODE)
READ_ATTRIBUTES = {"title", "placeholder", "aria-label", "alt"}
NOT_WORDS = {"Recoup", "R"}  # the name and its mark
UNREAD_TAGS = {"script", "style", "code"}
ADDRESS = ("/", "?", "&", "#")  # a literal that starts a link's address


@dataclass(frozen=True)
class Untranslated:
    template: str
    line: int
    text: str

    def __str__(self) -> str:
        return f"{self.template}:{self.line}: {self.text!r}"


def _has_words(text: str) -> bool:
    words = HOLE.sub(" ", text)
    for word in NOT_WORDS:
        words = re.sub(rf"\b{re.escape(word)}\b", " ", words)
    words = re.sub(r"&\w+;|&#\d+;", " ", words)
    words = re.sub(r"\b[A-Z]{2,3}\b", " ", words)  # codes: EUR, DE, UTC
    return bool(LETTER.search(words))


def _printed_literals(expr: nodes.Node) -> Iterator[nodes.Const]:
    """String literals that end up on the page as they are."""
    if isinstance(expr, nodes.Const) and isinstance(expr.value, str):
        yield expr
    elif isinstance(expr, nodes.CondExpr):
        yield from _printed_literals(expr.expr1)
        if expr.expr2 is not None:
            yield from _printed_literals(expr.expr2)
    elif isinstance(expr, nodes.Concat):
        for part in expr.nodes:
            yield from _printed_literals(part)
    elif isinstance(expr, nodes.Dict):
        for pair in expr.items:
            yield from _printed_literals(pair.value)
    elif isinstance(expr, nodes.List | nodes.Tuple):
        for item in expr.items:
            yield from _printed_literals(item)
    elif isinstance(expr, nodes.Filter) and expr.name in ("lower", "upper", "capitalize"):
        if expr.node is not None:
            yield from _printed_literals(expr.node)
    elif isinstance(expr, nodes.Add):
        yield from _printed_literals(expr.left)
        yield from _printed_literals(expr.right)


class _Page(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=False)
        self.found: list[tuple[int, str]] = []
        self.shown: set[int] = set()  # expressions whose value is read (text, title ...)
        self.unread = 0
        self.lines: list[int] = []  # the template line of each character fed

    def _line(self) -> int:
        at = self.getpos()
        return at[0]

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in UNREAD_TAGS:
            self.unread += 1
        kinds = dict(attrs)
        for name, value in attrs:
            readable = name in READ_ATTRIBUTES or (
                name == "value" and tag == "input" and kinds.get("type") in ("submit", "button")
            )
            if readable and value:
                self.shown.update(int(n) for n in HOLE.findall(value))
                if _has_words(value):
                    self.found.append((self._line(), f"{name}={value}"))

    def handle_endtag(self, tag: str) -> None:
        if tag in UNREAD_TAGS and self.unread:
            self.unread -= 1

    def handle_data(self, data: str) -> None:
        if not self.unread:
            self.shown.update(int(n) for n in HOLE.findall(data))
        if not self.unread and _has_words(data):
            self.found.append((self._line(), " ".join(data.split())))


def _flatten(
    node: nodes.Node,
    out: list[tuple[int, str]],
    printed: list[list[nodes.Const]],
    set_for_printing: list[nodes.Const],
) -> None:
    """The template's markup in document order (every branch, one after the other),
    each expression a numbered hole; the literals each expression prints (by the
    hole's number), and those a `{% set %}` keeps for printing."""
    if isinstance(node, nodes.TemplateData):
        out.append((node.lineno, node.data))
        return
    if isinstance(node, nodes.Output):
        for child in node.nodes:
            if isinstance(child, nodes.TemplateData):
                out.append((child.lineno, child.data))
            else:
                out.append((child.lineno, f"\ue000{len(printed)}\ue001"))
                printed.append(list(_printed_literals(child)))
        return
    if isinstance(node, nodes.Assign):
        set_for_printing.extend(_printed_literals(node.node))
    for child in node.iter_child_nodes():
        _flatten(child, out, printed, set_for_printing)


def scan(name: str, env: Environment | None = None) -> list[Untranslated]:
    env = env or Environment(extensions=["jinja2.ext.i18n", "jinja2.ext.do"])
    source = (TEMPLATES / name).read_text(encoding="utf-8")
    tree = env.parse(source)
    pieces: list[tuple[int, str]] = []
    printed: list[list[nodes.Const]] = []
    set_for_printing: list[nodes.Const] = []
    _flatten(tree, pieces, printed, set_for_printing)
    page = _Page()
    page.feed("".join(data for _line, data in pieces))
    page.close()
    literals = set_for_printing + [c for n in sorted(page.shown) for c in printed[n]]
    found = [
        Untranslated(name, c.lineno, str(c.value))
        for c in literals
        if _has_words(str(c.value)) and not str(c.value).startswith(ADDRESS)
    ]
    # map the parser's line (in the joined text) back to the template's line
    joined_line_to_template = []
    for line, data in pieces:
        for k in range(data.count("\n") + (0 if joined_line_to_template else 1)):
            joined_line_to_template.append(line + k)
    for at, words in page.found:
        line = joined_line_to_template[min(at, len(joined_line_to_template)) - 1]
        found.append(Untranslated(name, line, words))
    return found


def templates() -> list[str]:
    return sorted(p.name for p in TEMPLATES.glob("*.html"))


if __name__ == "__main__":
    total = 0
    for template in templates():
        for item in scan(template):
            print(item)
            total += 1
    print(total, "untranslated")
