"""guest lifecycle and people's time zones: invitations can be withdrawn, HR's changes to a
guest's access carry a version, a guest is emailed when their access changes; a person's own
time zone is kept apart from the directory's, so a sync never overwrites their choice

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-08 10:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0023'
down_revision = '0022'
branch_labels = None
depends_on = None

EMAIL_KINDS = ['guest_invitation', 'session_invitation', 'session_update', 'session_cancellation', 'action_reminder', 'session_reminder', 'review_notification', 'survey_invitation', 'password_reset', 'enrolment', 'facilitator_change']
# Every person had the column's default, which nobody could change: none of them chose it.
UNCHOSEN = 'Europe/London'


def _allow_email_kinds(kinds):
    # The enum's CHECK lists the kinds: it is replaced whole (on SQLite by a table copy).
    with op.batch_alter_table('outgoing_email', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_outgoing_email_email_kind'), type_='check')
        batch_op.create_check_constraint(
            op.f('ck_outgoing_email_email_kind'),
            sa.column('kind').in_(kinds),
        )


def upgrade():
    with op.batch_alter_table('invitation', schema=None) as batch_op:
        batch_op.add_column(sa.Column('withdrawn_at', sa.DateTime(timezone=True), nullable=True))

    with op.batch_alter_table('person', schema=None) as batch_op:
        batch_op.alter_column(
            'time_zone', new_column_name='chosen_time_zone',
            existing_type=sa.String(length=64), nullable=True,
        )
        batch_op.add_column(sa.Column('directory_time_zone', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('access_version', sa.Integer(), nullable=False, server_default='0'))
    op.execute(
        sa.text("UPDATE person SET chosen_time_zone = NULL WHERE chosen_time_zone = :unchosen")
        .bindparams(unchosen=UNCHOSEN)
    )

    _allow_email_kinds([*EMAIL_KINDS, 'guest_access'])


def downgrade():
    op.execute("DELETE FROM outgoing_email WHERE kind = 'guest_access'")
    _allow_email_kinds(EMAIL_KINDS)

    # The zone each person is shown today, as the one column there was before.
    op.execute(
        sa.text(
            "UPDATE person SET chosen_time_zone = "
            "COALESCE(chosen_time_zone, directory_time_zone, :unchosen)"
        ).bindparams(unchosen=UNCHOSEN)
    )
    with op.batch_alter_table('person', schema=None) as batch_op:
        batch_op.drop_column('access_version')
        batch_op.drop_column('directory_time_zone')
        batch_op.alter_column(
            'chosen_time_zone', new_column_name='time_zone',
            existing_type=sa.String(length=64), nullable=False,
        )

    with op.batch_alter_table('invitation', schema=None) as batch_op:
        batch_op.drop_column('withdrawn_at')
