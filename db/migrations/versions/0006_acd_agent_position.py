"""acd_agent.position: the order names were first recorded, portably

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-24 02:45:00

A person with several ACD names (`SIP/1000;Agent 1` on the roster) is shown under the first
one recorded. That order came from SQLite's hidden rowid, which PostgreSQL does not have;
it is now a column of its own, filled from the rowid on SQLite (and in name order on a
PostgreSQL database that has rows already), and set to the next number by every insert.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0006'
down_revision: str | None = '0005'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('acd_agent') as batch:
        batch.add_column(sa.Column('position', sa.Integer(), nullable=True))
    if op.get_bind().dialect.name == 'sqlite':
        op.execute('UPDATE acd_agent SET position = rowid')
    else:
        op.execute(
            'UPDATE acd_agent SET position = o.n FROM '
            '(SELECT name, row_number() OVER (ORDER BY name) AS n FROM acd_agent) o '
            'WHERE acd_agent.name = o.name'
        )


def downgrade() -> None:
    with op.batch_alter_table('acd_agent') as batch:
        batch.drop_column('position')
