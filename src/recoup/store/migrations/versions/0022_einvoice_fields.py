"""what an e-invoice tells about payment and the buyer (issue 17: e-invoices in)

`invoices.payment_reference`: the reference the seller asked the buyer to quote when
paying (EN 16931 BT-83: UBL PaymentMeans/PaymentID, CII PaymentReference), for bank
matching; `customers.vat_id` (BT-48) and `customers.buyer_reference` (BT-10, e.g.
XRechnung's Leitweg-ID). NULL: no e-invoice said.

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-07 09:30:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0022"
down_revision = "0021"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("invoices") as batch:
        batch.add_column(sa.Column("payment_reference", sa.String(length=200), nullable=True))
    with op.batch_alter_table("customers") as batch:
        batch.add_column(sa.Column("vat_id", sa.String(length=64), nullable=True))
        batch.add_column(sa.Column("buyer_reference", sa.String(length=200), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("customers") as batch:
        batch.drop_column("buyer_reference")
        batch.drop_column("vat_id")
    with op.batch_alter_table("invoices") as batch:
        batch.drop_column("payment_reference")
