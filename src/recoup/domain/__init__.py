"""The pure core: money, dates, ledger maths, aging and DSO. No I/O, no frameworks."""
