"""sets over time and session feedback: a set's version, last change and closing; members'
feedback on sessions; the email telling facilitators they start or stop facilitating a set

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-08 09:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0022'
down_revision = '0021'
branch_labels = None
depends_on = None

EMAIL_KINDS = ['guest_invitation', 'session_invitation', 'session_update', 'session_cancellation', 'action_reminder', 'session_reminder', 'review_notification', 'survey_invitation', 'password_reset', 'enrolment']


def _allow_email_kinds(kinds):
    # The enum's CHECK lists the kinds: it is replaced whole (on SQLite by a table copy).
    with op.batch_alter_table('outgoing_email', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_outgoing_email_email_kind'), type_='check')
        batch_op.create_check_constraint(
            op.f('ck_outgoing_email_email_kind'),
            sa.column('kind').in_(kinds),
        )


def upgrade():
    with op.batch_alter_table('learning_set', schema=None) as batch_op:
        batch_op.add_column(sa.Column('updated_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True))
        # The server default fills the rows that exist already.
        batch_op.add_column(sa.Column('version', sa.Integer(), nullable=False, server_default='1'))

    op.create_table('session_feedback',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('session_id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('usefulness', sa.Integer(), nullable=False),
    sa.Column('next_step', sa.String(length=300), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('usefulness BETWEEN 1 AND 5', name=op.f('ck_session_feedback_usefulness_scale')),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], name=op.f('fk_session_feedback_person_id_person')),
    sa.ForeignKeyConstraint(['session_id'], ['learning_session.id'], name=op.f('fk_session_feedback_session_id_learning_session')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_session_feedback')),
    sa.UniqueConstraint('session_id', 'person_id', name=op.f('uq_session_feedback_session_id'))
    )
    with op.batch_alter_table('session_feedback', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_session_feedback_person_id'), ['person_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_session_feedback_session_id'), ['session_id'], unique=False)

    _allow_email_kinds([*EMAIL_KINDS, 'facilitator_change'])


def downgrade():
    op.execute("DELETE FROM outgoing_email WHERE kind = 'facilitator_change'")
    _allow_email_kinds(EMAIL_KINDS)

    with op.batch_alter_table('session_feedback', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_session_feedback_session_id'))
        batch_op.drop_index(batch_op.f('ix_session_feedback_person_id'))

    op.drop_table('session_feedback')

    with op.batch_alter_table('learning_set', schema=None) as batch_op:
        batch_op.drop_column('version')
        batch_op.drop_column('closed_at')
        batch_op.drop_column('updated_at')
