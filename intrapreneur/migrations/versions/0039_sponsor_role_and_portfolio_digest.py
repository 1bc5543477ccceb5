"""sponsor portfolio: the sponsor role, the sponsors' monthly digest email and its opt-out

Revision ID: 0039
Revises: 0038
Create Date: 2026-12-08 03:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0039'
down_revision = '0038'
branch_labels = None
depends_on = None

ROLES = ['employee', 'facilitator', 'manager', 'hr', 'admin', 'guest']
EMAIL_KINDS = ['guest_invitation', 'session_invitation', 'session_update', 'session_cancellation', 'action_reminder', 'session_reminder', 'review_notification', 'survey_invitation', 'password_reset', 'enrolment', 'facilitator_change', 'guest_access', 'review_digest', 'survey_reminder', 'two_step_reset', 'learning_digest', 'hack']


def _allow(table, constraint, column, values):
    # The enum's CHECK lists the values: it is replaced whole (on SQLite by a table copy).
    with op.batch_alter_table(table, schema=None) as batch_op:
        batch_op.drop_constraint(op.f(constraint), type_='check')
        batch_op.create_check_constraint(op.f(constraint), sa.column(column).in_(values))


def upgrade():
    _allow('person_role', 'ck_person_role_role', 'role', [*ROLES, 'sponsor'])
    _allow('outgoing_email', 'ck_outgoing_email_email_kind', 'kind', [*EMAIL_KINDS, 'sponsor_digest'])
    with op.batch_alter_table('email_preference', schema=None) as batch_op:
        batch_op.add_column(sa.Column('sponsor_digests', sa.Boolean(), server_default=sa.true(), nullable=False))


def downgrade():
    with op.batch_alter_table('email_preference', schema=None) as batch_op:
        batch_op.drop_column('sponsor_digests')
    op.execute("DELETE FROM outgoing_email WHERE kind = 'sponsor_digest'")
    _allow('outgoing_email', 'ck_outgoing_email_email_kind', 'kind', EMAIL_KINDS)
    op.execute("DELETE FROM person_role WHERE role = 'sponsor'")
    _allow('person_role', 'ck_person_role_role', 'role', ROLES)
