"""The one error of casework: an action refused, with the reason in plain words."""

from __future__ import annotations


class CaseworkError(ValueError):
    """A casework action that cannot be done as asked (the message says why).

    The web shows it beside the form; the CLI prints it and exits 1.
    """
