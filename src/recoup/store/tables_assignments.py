"""Who works which account (issue 15): the owner's ordered assignment rules, and each
customer's collector with how they got it (a rule, or by hand). Every change here comes
with a migration."""

from __future__ import annotations

from sqlalchemy import BigInteger, Column, DateTime, ForeignKey, Integer, String, Table

from recoup.store.tables import metadata

# The rules, in the order they are tried (`position`, 1 first); the first that matches
# an account assigns it. Amounts are minor units of `currency`.
assignment_rules = Table(
    "assignment_rules",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("position", Integer, nullable=False),
    Column("user_id", Integer, ForeignKey("users.id"), nullable=False),
    Column("currency", String(3), nullable=True),
    Column("at_least_minor", BigInteger, nullable=True),
    Column("below_minor", BigInteger, nullable=True),
    Column("tag", String(64), nullable=True),
    Column("country", String(2), nullable=True),
    Column("created_by", String(64), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
)

# One row per assigned customer. `how` is 'rule' (made by applying the rules; `rule_id`
# names the rule, which may since have been removed) or 'hand' (an owner's choice, which
# the rules never change).
assignments = Table(
    "assignments",
    metadata,
    Column("customer_id", Integer, ForeignKey("customers.id"), primary_key=True),
    Column("user_id", Integer, ForeignKey("users.id"), nullable=False, index=True),
    Column("how", String(8), nullable=False),
    Column("rule_id", Integer, nullable=True),
    Column("assigned_by", String(64), nullable=False),
    Column("assigned_at", DateTime(timezone=True), nullable=False),
)
