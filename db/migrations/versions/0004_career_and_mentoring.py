"""career stages, mentoring, leadership notes and adherence days

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23 22:17:42.651772

Written to run on SQLite and PostgreSQL alike: defaults are portable expressions
(sa.false(), quoted literals) rather than what autogenerate read back from SQLite, and the
one-open-mentorship-per-mentee rule is a partial unique index with both dialects' WHERE.
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op


revision: str = '0004'
down_revision: str | None = '0003'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OPEN = "ended_at IS NULL"


def upgrade() -> None:
    op.create_table('career_stage',
    sa.Column('staff_pk', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('stage', sa.Integer(), nullable=False),
    sa.Column('since', sa.Float(), nullable=False),
    sa.Column('mentor_opt_in', sa.Boolean(), server_default=sa.false(), nullable=False),
    sa.Column('updated_by', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('updated_at', sa.Float(), nullable=False),
    sa.ForeignKeyConstraint(['staff_pk'], ['staff.id'], ),
    sa.PrimaryKeyConstraint('staff_pk')
    )

    op.create_table('career_event',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('staff_pk', sa.Integer(), nullable=False),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('from_stage', sa.Integer(), nullable=True),
    sa.Column('to_stage', sa.Integer(), nullable=True),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('evidence', sa.Text(), server_default=sa.text("'{}'"), nullable=False),
    sa.Column('override', sa.Text(), nullable=True),
    sa.Column('department', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('by', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('at', sa.Float(), nullable=False),
    sa.ForeignKeyConstraint(['staff_pk'], ['staff.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('career_event', schema=None) as batch_op:
        batch_op.create_index('ix_career_event_staff_at', ['staff_pk', 'at'], unique=False)

    op.create_table('mentorship',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('mentor_pk', sa.Integer(), nullable=False),
    sa.Column('mentee_pk', sa.Integer(), nullable=False),
    sa.Column('started_at', sa.Float(), nullable=False),
    sa.Column('started_by', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('reason', sa.Text(), server_default=sa.text("''"), nullable=False),
    sa.Column('override', sa.Text(), nullable=True),
    sa.Column('ended_at', sa.Float(), nullable=True),
    sa.Column('ended_by', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('end_reason', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['mentee_pk'], ['staff.id'], ),
    sa.ForeignKeyConstraint(['mentor_pk'], ['staff.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('mentorship', schema=None) as batch_op:
        batch_op.create_index('ix_mentorship_mentor_ended', ['mentor_pk', 'ended_at'], unique=False)
        # One open mentorship per mentee; ended ones are history and may repeat.
        batch_op.create_index('uq_mentorship_open_mentee', ['mentee_pk'], unique=True, sqlite_where=sa.text(OPEN), postgresql_where=sa.text(OPEN))

    op.create_table('leadership_note',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('staff_pk', sa.Integer(), nullable=False),
    sa.Column('trait', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('evidence', sa.Text(), nullable=False),
    sa.Column('author', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('created_at', sa.Float(), nullable=False),
    sa.ForeignKeyConstraint(['staff_pk'], ['staff.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('leadership_note', schema=None) as batch_op:
        batch_op.create_index('ix_leadership_note_staff_created', ['staff_pk', 'created_at'], unique=False)

    op.create_table('adherence_day',
    sa.Column('staff_pk', sa.Integer(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('scheduled_seconds', sa.Float(), nullable=False),
    sa.Column('adherent_seconds', sa.Float(), nullable=False),
    sa.Column('computed_at', sa.Float(), nullable=False),
    sa.ForeignKeyConstraint(['staff_pk'], ['staff.id'], ),
    sa.PrimaryKeyConstraint('staff_pk', 'day')
    )


def downgrade() -> None:
    op.drop_table('adherence_day')

    with op.batch_alter_table('leadership_note', schema=None) as batch_op:
        batch_op.drop_index('ix_leadership_note_staff_created')
    op.drop_table('leadership_note')

    with op.batch_alter_table('mentorship', schema=None) as batch_op:
        batch_op.drop_index('uq_mentorship_open_mentee', sqlite_where=sa.text(OPEN), postgresql_where=sa.text(OPEN))
        batch_op.drop_index('ix_mentorship_mentor_ended')
    op.drop_table('mentorship')

    with op.batch_alter_table('career_event', schema=None) as batch_op:
        batch_op.drop_index('ix_career_event_staff_at')
    op.drop_table('career_event')

    op.drop_table('career_stage')
