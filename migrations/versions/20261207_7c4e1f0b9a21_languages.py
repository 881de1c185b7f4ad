"""languages: a study's languages and its texts in them; the language a participant sees

Revision ID: 7c4e1f0b9a21
Revises: fedbf19f5474
Create Date: 2026-12-07 04:50:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = '7c4e1f0b9a21'
down_revision = 'fedbf19f5474'
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql')


def upgrade() -> None:
    # Existing studies were written in English, the only language uxlab had.
    with op.batch_alter_table('studies', schema=None) as batch_op:
        batch_op.add_column(sa.Column('languages', JSON, nullable=False, server_default='["en"]'))
        batch_op.add_column(sa.Column('translations', JSON, nullable=False, server_default='{}'))
    with op.batch_alter_table('studies', schema=None) as batch_op:
        batch_op.alter_column('languages', existing_type=JSON, server_default=None)
        batch_op.alter_column('translations', existing_type=JSON, server_default=None)
    with op.batch_alter_table('participants', schema=None) as batch_op:
        batch_op.add_column(sa.Column('language', sa.String(length=35), nullable=True))
    # A participant who consented saw the pages in the language their consent records.
    op.execute("UPDATE participants SET language = consent_language "
               "WHERE consent_language IS NOT NULL")


def downgrade() -> None:
    with op.batch_alter_table('participants', schema=None) as batch_op:
        batch_op.drop_column('language')
    with op.batch_alter_table('studies', schema=None) as batch_op:
        batch_op.drop_column('translations')
        batch_op.drop_column('languages')
