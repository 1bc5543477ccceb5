"""two-step reset: the email telling a local account an administrator reset its second step

Revision ID: 0029
Revises: 0028
Create Date: 2026-12-07 16:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0029'
down_revision = '0028'
branch_labels = None
depends_on = None

EMAIL_KINDS = ['guest_invitation', 'session_invitation', 'session_update', 'session_cancellation', 'action_reminder', 'session_reminder', 'review_notification', 'survey_invitation', 'password_reset', 'enrolment', 'facilitator_change', 'guest_access', 'review_digest', 'survey_reminder']


def _allow_email_kinds(kinds):
    # The enum's CHECK lists the kinds: it is replaced whole (on SQLite by a table copy).
    with op.batch_alter_table('outgoing_email', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_outgoing_email_email_kind'), type_='check')
        batch_op.create_check_constraint(
            op.f('ck_outgoing_email_email_kind'),
            sa.column('kind').in_(kinds),
        )


def upgrade():
    _allow_email_kinds([*EMAIL_KINDS, 'two_step_reset'])


def downgrade():
    op.execute("DELETE FROM outgoing_email WHERE kind = 'two_step_reset'")
    _allow_email_kinds(EMAIL_KINDS)
