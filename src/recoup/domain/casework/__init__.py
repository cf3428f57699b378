"""Working a case: the pure rules behind calls, promises, payment plans, settlements,
disputes, hand-offs and write-offs (issue 4).

- `errors.py` — `CaseworkError`: a refused casework action, with its reason in words.
- `plans.py` — installment schedules that sum exactly to the amount, their limits, and
  tracking installments against payments (paid, missed, default).
- `promises.py` — a promise to pay, kept or broken from the payments and grace days.
- `settlement.py` — the authority check of a settlement offer and the write-off split.
- `authority.py` — the one rule for every reduction of what a customer owes (credit
  notes, settlements, write-offs): allowed, waits for an owner, or refused, by role.
- `options.py` — the settlement helper: in-house, settle, agency, small claims, write off.
- `calls.py` — call outcomes and the suggested call script.
- `disputes.py` — dispute reason codes and resolutions.
- `writeoff.py` — write-off reasons and the tax part of a written-off amount.

Nothing here reads a clock, a file or a database: dates and payments are arguments.
"""
