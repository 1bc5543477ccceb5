"""editing programmes and cohorts, enrolment at scale: version columns (optimistic locking),
archived programmes, closed cohorts and the cohort's time zone (existing cohorts get the
organisation's zone, Europe/London); the waiting list, withdrawals and removals as enrolment
states; and the email telling people about a decision on their place

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-07 13:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0021'
down_revision = '0020'
branch_labels = None
depends_on = None

ENROLMENT_STATUSES = ['requested', 'accepted', 'declined']
NEW_ENROLMENT_STATUSES = ['waiting', 'withdrawn', 'removed']
EMAIL_KINDS = ['guest_invitation', 'session_invitation', 'session_update', 'session_cancellation', 'action_reminder', 'session_reminder', 'review_notification', 'survey_invitation', 'password_reset']


def _allow(table, column, constraint, values):
    # The enum's CHECK lists the values: it is replaced whole (on SQLite by a table copy).
    with op.batch_alter_table(table, schema=None) as batch_op:
        batch_op.drop_constraint(op.f(constraint), type_='check')
        batch_op.create_check_constraint(op.f(constraint), sa.column(column).in_(values))


def upgrade():
    with op.batch_alter_table('programme', schema=None) as batch_op:
        batch_op.add_column(sa.Column('archived_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('version', sa.Integer(), server_default='1', nullable=False))

    with op.batch_alter_table('cohort', schema=None) as batch_op:
        batch_op.add_column(sa.Column('time_zone', sa.String(length=64), server_default='Europe/London', nullable=False))
        batch_op.add_column(sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('version', sa.Integer(), server_default='1', nullable=False))

    _allow('enrolment', 'status', 'ck_enrolment_enrolment_status', [*ENROLMENT_STATUSES, *NEW_ENROLMENT_STATUSES])
    _allow('outgoing_email', 'kind', 'ck_outgoing_email_email_kind', [*EMAIL_KINDS, 'enrolment'])


def downgrade():
    op.execute("DELETE FROM outgoing_email WHERE kind = 'enrolment'")
    _allow('outgoing_email', 'kind', 'ck_outgoing_email_email_kind', EMAIL_KINDS)

    # The old states closest in meaning: a waiting person had asked; one who left is out.
    op.execute("UPDATE enrolment SET status = 'requested' WHERE status = 'waiting'")
    op.execute("UPDATE enrolment SET status = 'declined' WHERE status IN ('withdrawn', 'removed')")
    _allow('enrolment', 'status', 'ck_enrolment_enrolment_status', ENROLMENT_STATUSES)

    # Dropped in place (SQLite 3.35+ drops a plain column itself): a table copy would have to
    # drop the old cohort and programme tables, which other tables' rows refer to.
    with op.batch_alter_table('cohort', schema=None, recreate='never') as batch_op:
        batch_op.drop_column('version')
        batch_op.drop_column('closed_at')
        batch_op.drop_column('time_zone')

    with op.batch_alter_table('programme', schema=None, recreate='never') as batch_op:
        batch_op.drop_column('version')
        batch_op.drop_column('archived_at')
