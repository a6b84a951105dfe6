"""change notices: on PostgreSQL every committed write tells listening apps which table changed

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-26 09:00:00

An AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE trigger FOR EACH STATEMENT on every table
calls pg_notify('floorsup_changes', <table name>). Statement-level: a 1,000-row ingest
batch sends one notice per table, not 1,000; PostgreSQL also folds identical notices of one
transaction into one, and delivers them only when it commits (a rolled-back write tells
nobody). floorsup.store.queries.ChangeWatcher LISTENs on the channel.

SQLite: nothing to do (its watcher asks PRAGMA data_version, which counts every commit).

The tables are listed as of this revision: a later migration that adds a table adds its
trigger too (`CREATE TRIGGER floorsup_change_notice ... EXECUTE FUNCTION
floorsup_change_notice()`). alembic_version is left out on purpose.
"""

from collections.abc import Sequence

from alembic import op


revision: str = '0008'
down_revision: str | None = '0007'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

CHANNEL = 'floorsup_changes'
FUNCTION = 'floorsup_change_notice'
TRIGGER = 'floorsup_change_notice'

# Every table of the schema at revision 0008 (floorsup/store/models.py), alembic_version aside.
TABLES = (
    'site',
    'team',
    'staff',
    'acd_agent',
    'queue',
    'ingest_source',
    'queue_event',
    'rejected_line',
    'call',
    'agent_state_span',
    'agent_membership',
    'agent_live',
    'schedule_segment',
    'adherence_authorization',
    'coaching_note',
    'coaching_note_revision',
    'note_draft',
    'qa_evaluation',
    'career_stage',
    'career_event',
    'mentorship',
    'leadership_note',
    'adherence_day',
    'audit_log',
)


def upgrade() -> None:
    if op.get_bind().dialect.name != 'postgresql':
        return
    op.execute(
        f'CREATE OR REPLACE FUNCTION {FUNCTION}() RETURNS trigger LANGUAGE plpgsql AS '
        f"$$ BEGIN PERFORM pg_notify('{CHANNEL}', TG_TABLE_NAME); RETURN NULL; END $$"
    )
    for table in TABLES:
        op.execute(
            f'CREATE TRIGGER {TRIGGER} AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE '
            f'ON "{table}" FOR EACH STATEMENT EXECUTE FUNCTION {FUNCTION}()'
        )


def downgrade() -> None:
    if op.get_bind().dialect.name != 'postgresql':
        return
    for table in TABLES:
        op.execute(f'DROP TRIGGER IF EXISTS {TRIGGER} ON "{table}"')
    op.execute(f'DROP FUNCTION IF EXISTS {FUNCTION}()')
