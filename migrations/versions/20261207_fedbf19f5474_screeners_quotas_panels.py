"""screening: screener questions, quotas, the study's panel and end texts, turned-away
participants (screened out or over quota: a flagged row without answers)

Revision ID: fedbf19f5474
Revises: b4d57f3eb9f0
Create Date: 2026-12-07 04:41:08.013502
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from sqlalchemy.dialects import postgresql

import uxlab.timeutil

revision = 'fedbf19f5474'
down_revision = 'b4d57f3eb9f0'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('screener_questions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('study_id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=64), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('options', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('rule', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.CheckConstraint("kind IN ('single', 'multiple', 'number')", name=op.f('ck_screener_questions_kind')),
    sa.ForeignKeyConstraint(['study_id'], ['studies.id'], name=op.f('fk_screener_questions_study_id_studies'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_screener_questions')),
    sa.UniqueConstraint('study_id', 'key', name=op.f('uq_screener_questions_study_id_key'))
    )
    with op.batch_alter_table('screener_questions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_screener_questions_study_id'), ['study_id'], unique=False)

    op.create_table('quotas',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('study_id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=64), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('places', sa.Integer(), nullable=False),
    sa.Column('variant_id', sa.Integer(), nullable=True),
    sa.Column('conditions', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.CheckConstraint('places >= 0', name=op.f('ck_quotas_places_non_negative')),
    sa.ForeignKeyConstraint(['study_id'], ['studies.id'], name=op.f('fk_quotas_study_id_studies'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['variant_id'], ['variants.id'], name=op.f('fk_quotas_variant_id_variants'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_quotas')),
    sa.UniqueConstraint('study_id', 'key', name=op.f('uq_quotas_study_id_key'))
    )
    with op.batch_alter_table('quotas', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_quotas_study_id'), ['study_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_quotas_variant_id'), ['variant_id'], unique=False)

    with op.batch_alter_table('participants', schema=None) as batch_op:
        batch_op.add_column(sa.Column('turned_away', sa.String(length=12), nullable=True))
        batch_op.add_column(sa.Column('turned_away_at', uxlab.timeutil.UTCDateTime(timezone=True), nullable=True))
        batch_op.create_check_constraint(
            op.f('ck_participants_turned_away'),
            "turned_away IS NULL OR turned_away IN ('screened_out', 'full')")

    with op.batch_alter_table('studies', schema=None) as batch_op:
        batch_op.add_column(sa.Column('panel', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), server_default='{}', nullable=False))
        batch_op.add_column(sa.Column('screen_out_text', sa.Text(), server_default='', nullable=False))
        batch_op.add_column(sa.Column('full_text', sa.Text(), server_default='', nullable=False))
        batch_op.add_column(sa.Column('place_hold_minutes', sa.Integer(), server_default='120', nullable=False))



def downgrade() -> None:
    with op.batch_alter_table('studies', schema=None) as batch_op:
        batch_op.drop_column('place_hold_minutes')
        batch_op.drop_column('full_text')
        batch_op.drop_column('screen_out_text')
        batch_op.drop_column('panel')

    with op.batch_alter_table('participants', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_participants_turned_away'), type_='check')
        batch_op.drop_column('turned_away_at')
        batch_op.drop_column('turned_away')

    with op.batch_alter_table('quotas', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_quotas_variant_id'))
        batch_op.drop_index(batch_op.f('ix_quotas_study_id'))

    op.drop_table('quotas')
    with op.batch_alter_table('screener_questions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_screener_questions_study_id'))

    op.drop_table('screener_questions')
