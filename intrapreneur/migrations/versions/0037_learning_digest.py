"""learning digest: the weekly email of the learnings shared with the organisation (an email
kind and its opt-out, on by default)

Revision ID: 0037
Revises: 0036
Create Date: 2026-12-08 03:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0037'
down_revision = '0036'
branch_labels = None
depends_on = None

EMAIL_KINDS = ['guest_invitation', 'session_invitation', 'session_update', 'session_cancellation', 'action_reminder', 'session_reminder', 'review_notification', 'survey_invitation', 'password_reset', 'enrolment', 'facilitator_change', 'guest_access', 'review_digest', 'survey_reminder', 'two_step_reset']


def _allow_email_kinds(kinds):
    # The enum's CHECK lists the kinds: it is replaced whole (on SQLite by a table copy).
    with op.batch_alter_table('outgoing_email', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_outgoing_email_email_kind'), type_='check')
        batch_op.create_check_constraint(
            op.f('ck_outgoing_email_email_kind'),
            sa.column('kind').in_(kinds),
        )


def upgrade():
    with op.batch_alter_table('email_preference', schema=None) as batch_op:
        batch_op.add_column(sa.Column('learning_digests', sa.Boolean(), server_default=sa.true(), nullable=False))

    _allow_email_kinds([*EMAIL_KINDS, 'learning_digest'])


def downgrade():
    op.execute("DELETE FROM outgoing_email WHERE kind = 'learning_digest'")
    _allow_email_kinds(EMAIL_KINDS)

    with op.batch_alter_table('email_preference', schema=None) as batch_op:
        batch_op.drop_column('learning_digests')
