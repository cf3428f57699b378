"""Recoup: get paid for work already done."""

__version__ = "0.1.0"
