"""nudges: managers' daily review digests and survey reminders (two email kinds and their
preferences, a once-only key on notifications, and each wave's last reminder round)

Revision ID: 0024
Revises: 0023
Create Date: 2026-12-08 09:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0024'
down_revision = '0023'
branch_labels = None
depends_on = None

EMAIL_KINDS = ['guest_invitation', 'session_invitation', 'session_update', 'session_cancellation', 'action_reminder', 'session_reminder', 'review_notification', 'survey_invitation', 'password_reset', 'enrolment', 'facilitator_change', 'guest_access']
NEW_KINDS = ['review_digest', 'survey_reminder']


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
        batch_op.add_column(sa.Column('review_digests', sa.Boolean(), server_default=sa.true(), nullable=False))
        batch_op.add_column(sa.Column('survey_reminders', sa.Boolean(), server_default=sa.true(), nullable=False))

    with op.batch_alter_table('notification', schema=None) as batch_op:
        batch_op.add_column(sa.Column('dedupe_key', sa.String(length=200), nullable=True))
        batch_op.create_unique_constraint(batch_op.f('uq_notification_dedupe_key'), ['dedupe_key'])

    with op.batch_alter_table('survey_wave', schema=None) as batch_op:
        batch_op.add_column(sa.Column('reminders_sent', sa.Integer(), server_default='0', nullable=False))

    _allow_email_kinds([*EMAIL_KINDS, *NEW_KINDS])


def downgrade():
    op.execute("DELETE FROM outgoing_email WHERE kind IN ('review_digest', 'survey_reminder')")
    _allow_email_kinds(EMAIL_KINDS)

    with op.batch_alter_table('survey_wave', schema=None) as batch_op:
        batch_op.drop_column('reminders_sent')

    with op.batch_alter_table('notification', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_notification_dedupe_key'), type_='unique')
        batch_op.drop_column('dedupe_key')

    with op.batch_alter_table('email_preference', schema=None) as batch_op:
        batch_op.drop_column('survey_reminders')
        batch_op.drop_column('review_digests')
