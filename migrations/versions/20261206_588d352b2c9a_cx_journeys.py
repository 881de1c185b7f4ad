"""CX journeys: journeys and stages as tables, touchpoints under them, CX data, API tokens.

Existing touchpoints (made by study files, with journey and stage as text) are moved under
journeys and stages made from that text. ``cx_measures`` and ``cx_responses`` were filled by
nothing before this revision; they are dropped and made anew in their new shape.

Revision ID: 588d352b2c9a
Revises: f1509c3f624a
Create Date: 2026-12-06 22:44:29.820496
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import uxlab.timeutil
from sqlalchemy.dialects import postgresql

revision = '588d352b2c9a'
down_revision = 'f1509c3f624a'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('cx_sources',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('secret', sa.String(length=128), nullable=False),
    sa.Column('created_at', uxlab.timeutil.UTCDateTime(timezone=True), nullable=False),
    sa.Column('revoked_at', uxlab.timeutil.UTCDateTime(timezone=True), nullable=True),
    sa.CheckConstraint("kind IN ('generic', 'delighted', 'wootric')", name=op.f('ck_cx_sources_kind')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_cx_sources')),
    sa.UniqueConstraint('name', name=op.f('uq_cx_sources_name'))
    )
    op.create_table('journeys',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('created_at', uxlab.timeutil.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_journeys')),
    sa.UniqueConstraint('name', name=op.f('uq_journeys_name'))
    )
    op.create_table('api_tokens',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('prefix', sa.String(length=12), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', uxlab.timeutil.UTCDateTime(timezone=True), nullable=False),
    sa.Column('last_used_at', uxlab.timeutil.UTCDateTime(timezone=True), nullable=True),
    sa.Column('revoked_at', uxlab.timeutil.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_api_tokens_created_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_api_tokens')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_api_tokens_token_hash'))
    )
    op.create_table('journey_stages',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('journey_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['journey_id'], ['journeys.id'], name=op.f('fk_journey_stages_journey_id_journeys'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_journey_stages')),
    sa.UniqueConstraint('journey_id', 'name', name=op.f('uq_journey_stages_journey_id_name'))
    )
    with op.batch_alter_table('journey_stages', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_journey_stages_journey_id'), ['journey_id'], unique=False)

    op.drop_table('cx_measures')
    op.drop_table('cx_responses')
    _move_touchpoints_under_stages()
    op.create_table('cx_responses',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('journey_id', sa.Integer(), nullable=False),
    sa.Column('stage_id', sa.Integer(), nullable=True),
    sa.Column('touchpoint_id', sa.Integer(), nullable=True),
    sa.Column('metric', sa.String(length=10), nullable=False),
    sa.Column('value', sa.Double(), nullable=False),
    sa.Column('recorded_at', uxlab.timeutil.UTCDateTime(timezone=True), nullable=False),
    sa.Column('respondent', sa.String(length=200), nullable=True),
    sa.Column('segment', sa.String(length=200), nullable=True),
    sa.Column('source', sa.String(length=100), nullable=False),
    sa.Column('external_id', sa.String(length=200), nullable=True),
    sa.Column('dedupe_key', sa.String(length=200), nullable=False),
    sa.Column('comment', sa.Text(), nullable=True),
    sa.Column('created_at', uxlab.timeutil.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint("metric IN ('nps', 'csat', 'ces')", name=op.f('ck_cx_responses_metric')),
    sa.ForeignKeyConstraint(['journey_id'], ['journeys.id'], name=op.f('fk_cx_responses_journey_id_journeys'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['stage_id'], ['journey_stages.id'], name=op.f('fk_cx_responses_stage_id_journey_stages'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['touchpoint_id'], ['touchpoints.id'], name=op.f('fk_cx_responses_touchpoint_id_touchpoints'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_cx_responses')),
    sa.UniqueConstraint('source', 'dedupe_key', name=op.f('uq_cx_responses_source_dedupe_key'))
    )
    with op.batch_alter_table('cx_responses', schema=None) as batch_op:
        batch_op.create_index('ix_cx_responses_journey_recorded', ['journey_id', 'recorded_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_cx_responses_touchpoint_id'), ['touchpoint_id'], unique=False)
    op.create_table('cx_measures',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('journey_id', sa.Integer(), nullable=False),
    sa.Column('stage_id', sa.Integer(), nullable=True),
    sa.Column('touchpoint_id', sa.Integer(), nullable=True),
    sa.Column('metric', sa.String(length=20), nullable=False),
    sa.Column('period_start', sa.Date(), nullable=False),
    sa.Column('period_end', sa.Date(), nullable=False),
    sa.Column('value', sa.Double(), nullable=False),
    sa.Column('n', sa.Integer(), nullable=True),
    sa.Column('promoters', sa.Integer(), nullable=True),
    sa.Column('passives', sa.Integer(), nullable=True),
    sa.Column('detractors', sa.Integer(), nullable=True),
    sa.Column('top_box', sa.Integer(), nullable=True),
    sa.Column('sd', sa.Double(), nullable=True),
    sa.Column('segment', sa.String(length=200), nullable=True),
    sa.Column('source', sa.String(length=100), nullable=False),
    sa.Column('dedupe_key', sa.String(length=200), nullable=False),
    sa.Column('created_at', uxlab.timeutil.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint("metric IN ('nps', 'csat', 'ces', 'tickets', 'resolution_hours', 'contact_rate', 'churn_rate', 'retention_rate', 'clv')", name=op.f('ck_cx_measures_metric')),
    sa.CheckConstraint('n IS NULL OR n >= 0', name=op.f('ck_cx_measures_n_non_negative')),
    sa.CheckConstraint('period_end >= period_start', name=op.f('ck_cx_measures_period_order')),
    sa.ForeignKeyConstraint(['journey_id'], ['journeys.id'], name=op.f('fk_cx_measures_journey_id_journeys'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['stage_id'], ['journey_stages.id'], name=op.f('fk_cx_measures_stage_id_journey_stages'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['touchpoint_id'], ['touchpoints.id'], name=op.f('fk_cx_measures_touchpoint_id_touchpoints'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_cx_measures')),
    sa.UniqueConstraint('source', 'dedupe_key', name=op.f('uq_cx_measures_source_dedupe_key'))
    )
    with op.batch_alter_table('cx_measures', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_cx_measures_journey_id'), ['journey_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_cx_measures_touchpoint_id'), ['touchpoint_id'], unique=False)


def _move_touchpoints_under_stages() -> None:
    """Make journeys and stages from the touchpoints' text columns, then point the rows at them."""
    with op.batch_alter_table('touchpoints', schema=None) as batch_op:
        batch_op.add_column(sa.Column('journey_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('stage_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('description', sa.Text(), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('owner', sa.String(length=200), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('targets', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False, server_default='{}'))
    bind = op.get_bind()
    rows = bind.execute(sa.text("SELECT id, journey, stage FROM touchpoints ORDER BY id")).all()
    journeys: dict[str, int] = {}
    stages: dict[tuple[str, str], int] = {}
    for touchpoint_id, journey, stage in rows:
        stage = stage or 'Other'
        if journey not in journeys:
            bind.execute(sa.text("INSERT INTO journeys (name, description, position, created_at) "
                                 "VALUES (:name, '', :position, CURRENT_TIMESTAMP)"),
                         {"name": journey, "position": len(journeys)})
            journeys[journey] = bind.execute(sa.text("SELECT id FROM journeys WHERE name = :name"),
                                             {"name": journey}).scalar_one()
        if (journey, stage) not in stages:
            bind.execute(sa.text("INSERT INTO journey_stages (journey_id, name, position) "
                                 "VALUES (:journey, :name, :position)"),
                         {"journey": journeys[journey], "name": stage,
                          "position": sum(1 for j, _ in stages if j == journey)})
            stages[journey, stage] = bind.execute(
                sa.text("SELECT id FROM journey_stages WHERE journey_id = :j AND name = :n"),
                {"j": journeys[journey], "n": stage}).scalar_one()
        bind.execute(sa.text("UPDATE touchpoints SET journey_id = :j, stage_id = :s WHERE id = :id"),
                     {"j": journeys[journey], "s": stages[journey, stage], "id": touchpoint_id})
    with op.batch_alter_table('touchpoints', schema=None) as batch_op:
        batch_op.alter_column('journey_id', existing_type=sa.Integer(), nullable=False)
        batch_op.alter_column('stage_id', existing_type=sa.Integer(), nullable=False)
        batch_op.alter_column('description', existing_type=sa.Text(), server_default=None)
        batch_op.alter_column('owner', existing_type=sa.String(length=200), server_default=None)
        batch_op.alter_column('targets', existing_type=sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), server_default=None)
        batch_op.drop_constraint(batch_op.f('uq_touchpoints_journey_name'), type_='unique')
        batch_op.create_index(batch_op.f('ix_touchpoints_journey_id'), ['journey_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_touchpoints_stage_id'), ['stage_id'], unique=False)
        batch_op.create_unique_constraint(batch_op.f('uq_touchpoints_journey_id_name'), ['journey_id', 'name'])
        batch_op.create_foreign_key(batch_op.f('fk_touchpoints_stage_id_journey_stages'), 'journey_stages', ['stage_id'], ['id'], ondelete='CASCADE')
        batch_op.create_foreign_key(batch_op.f('fk_touchpoints_journey_id_journeys'), 'journeys', ['journey_id'], ['id'], ondelete='CASCADE')
        batch_op.drop_column('stage')
        batch_op.drop_column('journey')


def downgrade() -> None:
    op.drop_table('cx_measures')
    op.drop_table('cx_responses')
    with op.batch_alter_table('touchpoints', schema=None) as batch_op:
        batch_op.add_column(sa.Column('journey', sa.String(length=200), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('stage', sa.String(length=200), nullable=False, server_default=''))
    op.execute("UPDATE touchpoints SET journey = (SELECT name FROM journeys WHERE journeys.id = touchpoints.journey_id), "
               "stage = (SELECT name FROM journey_stages WHERE journey_stages.id = touchpoints.stage_id)")
    with op.batch_alter_table('touchpoints', schema=None) as batch_op:
        batch_op.alter_column('journey', existing_type=sa.String(length=200), server_default=None)
        batch_op.alter_column('stage', existing_type=sa.String(length=200), server_default=None)
        batch_op.drop_constraint(batch_op.f('fk_touchpoints_journey_id_journeys'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('fk_touchpoints_stage_id_journey_stages'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('uq_touchpoints_journey_id_name'), type_='unique')
        batch_op.drop_index(batch_op.f('ix_touchpoints_stage_id'))
        batch_op.drop_index(batch_op.f('ix_touchpoints_journey_id'))
        batch_op.create_unique_constraint(batch_op.f('uq_touchpoints_journey_name'), ['journey', 'name'])
        batch_op.drop_column('targets')
        batch_op.drop_column('owner')
        batch_op.drop_column('description')
        batch_op.drop_column('stage_id')
        batch_op.drop_column('journey_id')
    op.drop_table('journey_stages')
    op.drop_table('api_tokens')
    op.drop_table('journeys')
    op.drop_table('cx_sources')
    op.create_table('cx_measures',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('touchpoint_id', sa.Integer(), nullable=False),
    sa.Column('metric', sa.String(length=20), nullable=False),
    sa.Column('period_start', sa.Date(), nullable=False),
    sa.Column('period_end', sa.Date(), nullable=False),
    sa.Column('value', sa.Double(), nullable=False),
    sa.Column('n', sa.Integer(), nullable=True),
    sa.Column('source', sa.String(length=100), nullable=False),
    sa.Column('created_at', uxlab.timeutil.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint("metric IN ('nps', 'csat', 'ces', 'sus', 'umux_lite', 'seq', 'completion', 'time', 'other')", name=op.f('ck_cx_measures_metric')),
    sa.CheckConstraint('n IS NULL OR n >= 0', name=op.f('ck_cx_measures_n_non_negative')),
    sa.CheckConstraint('period_end >= period_start', name=op.f('ck_cx_measures_period_order')),
    sa.ForeignKeyConstraint(['touchpoint_id'], ['touchpoints.id'], name=op.f('fk_cx_measures_touchpoint_id_touchpoints'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_cx_measures')),
    sa.UniqueConstraint('touchpoint_id', 'metric', 'period_start', 'period_end', 'source', name=op.f('uq_cx_measures_touchpoint_id_metric_period_start_period_end_source'))
    )
    with op.batch_alter_table('cx_measures', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_cx_measures_touchpoint_id'), ['touchpoint_id'], unique=False)
    op.create_table('cx_responses',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('touchpoint_id', sa.Integer(), nullable=False),
    sa.Column('metric', sa.String(length=20), nullable=False),
    sa.Column('value', sa.Double(), nullable=False),
    sa.Column('respondent', sa.String(length=200), nullable=True),
    sa.Column('source', sa.String(length=100), nullable=False),
    sa.Column('recorded_at', uxlab.timeutil.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint("metric IN ('nps', 'csat', 'ces', 'sus', 'umux_lite', 'seq', 'completion', 'time', 'other')", name=op.f('ck_cx_responses_metric')),
    sa.ForeignKeyConstraint(['touchpoint_id'], ['touchpoints.id'], name=op.f('fk_cx_responses_touchpoint_id_touchpoints'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_cx_responses')),
    )
    with op.batch_alter_table('cx_responses', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_cx_responses_touchpoint_id'), ['touchpoint_id'], unique=False)
