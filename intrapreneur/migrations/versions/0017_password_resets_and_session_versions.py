"""password resets and session versions: guests reset a forgotten password by a link, and
signing out (or a reset) ends the sessions signed in before

Revision ID: 0017
Revises: 0016
Create Date: 2026-11-27 15:20:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0017'
down_revision = '0016'
branch_labels = None
depends_on = None

EMAIL_KINDS = ['guest_invitation', 'session_invitation', 'session_update', 'session_cancellation', 'action_reminder', 'session_reminder', 'review_notification', 'survey_invitation']


def _allow_email_kinds(kinds):
    # The enum's CHECK lists the kinds: it is replaced whole (on SQLite by a table copy).
    with op.batch_alter_table('outgoing_email', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_outgoing_email_email_kind'), type_='check')
        batch_op.create_check_constraint(
            op.f('ck_outgoing_email_email_kind'),
            sa.column('kind').in_(kinds),
        )


def upgrade():
    op.create_table('password_reset',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('secret_hash', sa.String(length=64), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('used_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], name=op.f('fk_password_reset_person_id_person'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_password_reset')),
    sa.UniqueConstraint('secret_hash', name=op.f('uq_password_reset_secret_hash'))
    )
    with op.batch_alter_table('password_reset', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_password_reset_person_id'), ['person_id'], unique=False)

    with op.batch_alter_table('person', schema=None) as batch_op:
        batch_op.add_column(sa.Column('session_version', sa.Integer(), nullable=False, server_default='0'))

    _allow_email_kinds([*EMAIL_KINDS, 'password_reset'])


def downgrade():
    op.execute("DELETE FROM outgoing_email WHERE kind = 'password_reset'")
    _allow_email_kinds(EMAIL_KINDS)

    with op.batch_alter_table('person', schema=None) as batch_op:
        batch_op.drop_column('session_version')

    with op.batch_alter_table('password_reset', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_password_reset_person_id'))

    op.drop_table('password_reset')
