"""events: no foreign keys on session_id and attempt_id

Checking them row by row was two fifths of PostgreSQL's CPU for each inserted event. Ingestion
checks the sessions once per group, and whoever deletes a session deletes its events
(uxlab.recording.removal); attempts are only ever deleted with their session.

On SQLite the events table is copied (batch mode), once.

Revision ID: 3f2b9c1d7e60
Revises: 7c4e1f0b9a21
Create Date: 2026-12-07 17:40:00
"""

from __future__ import annotations

from alembic import op

revision = '3f2b9c1d7e60'
down_revision = '7c4e1f0b9a21'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_events_attempt_id_attempts'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('fk_events_session_id_sessions'), type_='foreignkey')


def downgrade() -> None:
    # What the keys would have refused or cascaded: events of sessions that are gone, and
    # attempts that are gone (which their ON DELETE SET NULL would have cleared).
    op.execute("DELETE FROM events WHERE session_id NOT IN (SELECT id FROM sessions)")
    op.execute("UPDATE events SET attempt_id = NULL "
               "WHERE attempt_id IS NOT NULL AND attempt_id NOT IN (SELECT id FROM attempts)")
    with op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.create_foreign_key(batch_op.f('fk_events_session_id_sessions'), 'sessions',
                                    ['session_id'], ['id'], ondelete='CASCADE')
        batch_op.create_foreign_key(batch_op.f('fk_events_attempt_id_attempts'), 'attempts',
                                    ['attempt_id'], ['id'], ondelete='SET NULL')
