"""agent membership history (which queues an agent was in, and since when), for replay

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-24 00:30:00

The ingest writes a row on each change of an agent's member queues. Databases upgraded
from 0004 have no history for the time before: a past instant's floor then counts those
agents in the queues they are members of now (store.queries.agents_now).
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op


revision: str = '0005'
down_revision: str | None = '0004'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('agent_membership',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('agent', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('since', sa.Float(), nullable=False),
    sa.Column('queues', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index('ix_membership_agent_since', 'agent_membership', ['agent', 'since'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_membership_agent_since', table_name='agent_membership')
    op.drop_table('agent_membership')
