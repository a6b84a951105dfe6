"""audit_log: every write, who made it, when, and the record before and after; append-only

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-24 05:10:00

Triggers refuse UPDATE and DELETE on the table (SQLite: RAISE(ABORT); PostgreSQL: a trigger
function raising an exception), so an entry once written stays as written.
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op


revision: str = '0007'
down_revision: str | None = '0006'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_REFUSAL = 'audit_log is append-only: entries cannot be changed or deleted'


def upgrade() -> None:
    op.create_table('audit_log',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('at', sa.Float(), nullable=False),
    sa.Column('login', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('staff_id', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('role', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('via_as', sa.Boolean(), server_default=sa.false(), nullable=False),
    sa.Column('action', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('entity', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('entity_key', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('before', sa.Text(), nullable=True),
    sa.Column('after', sa.Text(), nullable=True),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index('ix_audit_at', 'audit_log', ['at'], unique=False)
    op.create_index('ix_audit_login_at', 'audit_log', ['login', 'at'], unique=False)
    op.create_index('ix_audit_action_at', 'audit_log', ['action', 'at'], unique=False)
    if op.get_bind().dialect.name == 'sqlite':
        for verb in ('UPDATE', 'DELETE'):
            op.execute(
                f'CREATE TRIGGER audit_log_no_{verb.lower()} BEFORE {verb} ON audit_log '
                f"BEGIN SELECT RAISE(ABORT, '{_REFUSAL}'); END"
            )
    else:
        op.execute(
            'CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS '
            f"$$ BEGIN RAISE EXCEPTION '{_REFUSAL}'; END $$"
        )
        op.execute(
            'CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE OR TRUNCATE '
            'ON audit_log FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only()'
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == 'sqlite':
        op.execute('DROP TRIGGER IF EXISTS audit_log_no_update')
        op.execute('DROP TRIGGER IF EXISTS audit_log_no_delete')
    else:
        op.execute('DROP TRIGGER IF EXISTS audit_log_append_only ON audit_log')
        op.execute('DROP FUNCTION IF EXISTS audit_log_append_only()')
    op.drop_index('ix_audit_action_at', table_name='audit_log')
    op.drop_index('ix_audit_login_at', table_name='audit_log')
    op.drop_index('ix_audit_at', table_name='audit_log')
    op.drop_table('audit_log')
