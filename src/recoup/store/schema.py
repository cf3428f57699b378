"""Every table of the book in one `MetaData`, for Alembic and the schema test.

Tables live in modules named for what they hold; each registers itself on the one
`metadata` of `recoup.store.tables`. Importing this module imports them all.
"""

from __future__ import annotations

from recoup.store import (  # noqa: F401 - imported for their tables
    tables,
    tables_assignments,
    tables_bank,
    tables_bank_matching,
    tables_casework,
    tables_history,
    tables_messages,
    tables_open,
    tables_sales,
    tables_sessions,
    tables_worklist,
)

tables.partial_indexes()
metadata = tables.metadata
