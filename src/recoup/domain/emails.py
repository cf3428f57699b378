"""Email addresses: checked before they are kept, so none can break a message's headers.

The syntax is checked by the `email-validator` library with its deliverability check
(a DNS look-up) switched off: nothing here reads the network.

- `check_address(text)`: one address, normalised (the domain in lower case, as the
  library gives it), or `EmailError` saying what is wrong.
- `read_addresses(text)`: the addresses of a field that may hold several, separated by
  commas, semicolons or white space (line breaks too). Every piece must be an address
  on its own: a display name ("Jo <jo@x.example>") or anything smuggled in after a line
  break ("a@b.example\\nBcc: x@y.example") is refused as a whole, never kept in part.
  An address given twice (compared without case) is kept once; an empty field gives ().
"""

from __future__ import annotations

import re

from email_validator import EmailNotValidError, validate_email


class EmailError(ValueError):
    """An email address, or a list of them, that cannot be used; the message says why."""


def check_address(text: str) -> str:
    """`text` as a normalised email address, or EmailError."""
    if any(ch in text for ch in "\r\n"):
        raise EmailError(f"{text!r} is not an email address: it holds a line break")
    try:
        found = validate_email(text, check_deliverability=False)
    except EmailNotValidError as err:
        reason = str(err).rstrip(".")
        raise EmailError(f"{text!r} is not an email address: {reason}") from None
    return str(found.normalized)


_SEPARATORS = re.compile(r"[,;\s]+")
_NAME_HINT = (
    "; give the addresses alone, separated by commas, semicolons or spaces "
    "(a person's name goes in the contact column)"
)


def read_addresses(text: str) -> tuple[str, ...]:
    """The addresses a field holds (see the module), or EmailError naming each bad one."""
    found: list[str] = []
    seen: set[str] = set()
    wrong: list[str] = []
    for piece in _SEPARATORS.split(text.strip()):
        if not piece:
            continue
        try:
            address = check_address(piece)
        except EmailError as err:
            wrong.append(str(err))
            continue
        if address.casefold() not in seen:
            seen.add(address.casefold())
            found.append(address)
    if wrong:
        hint = _NAME_HINT if any(ch in text for ch in '<>:"') else ""
        raise EmailError("; ".join(wrong) + hint)
    return tuple(found)
