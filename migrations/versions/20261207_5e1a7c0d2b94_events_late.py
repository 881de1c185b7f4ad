"""events: flag events that arrived after their attempt had ended (late)

Existing events are not late (their attempts' metrics already counted them).

Revision ID: 5e1a7c0d2b94
Revises: 61ca9b89dea5
Create Date: 2026-12-07 02:05:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '5e1a7c0d2b94'
down_revision = '61ca9b89dea5'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # A constant server default: PostgreSQL adds the column without rewriting the table, and
    # SQLite adds it with ALTER TABLE ADD COLUMN (no batch copy of a large events table).
    with op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.add_column(sa.Column('late', sa.Boolean(), nullable=False,
                                      server_default=sa.false()))


def downgrade() -> None:
    with op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.drop_column('late')
