"""outgoing email and preferences: the outbox of emails, and reminders each person turned off

Revision ID: 0014
Revises: 0013
Create Date: 2026-11-27 12:30:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('email_preference',
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('action_reminders', sa.Boolean(), nullable=False),
    sa.Column('session_reminders', sa.Boolean(), nullable=False),
    sa.Column('review_notifications', sa.Boolean(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], name=op.f('fk_email_preference_person_id_person'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('person_id', name=op.f('pk_email_preference'))
    )
    op.create_table('outgoing_email',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=True),
    sa.Column('to_address', sa.String(length=254), nullable=False),
    sa.Column('kind', sa.Enum('guest_invitation', 'session_invitation', 'session_update', 'session_cancellation', 'action_reminder', 'session_reminder', 'review_notification', 'survey_invitation', name='email_kind', native_enum=False, create_constraint=True, length=20), nullable=False),
    sa.Column('subject', sa.String(length=300), nullable=False),
    sa.Column('text_body', sa.Text(), nullable=False),
    sa.Column('html_body', sa.Text(), nullable=False),
    sa.Column('calendar', sa.Text(), nullable=True),
    sa.Column('calendar_method', sa.String(length=10), nullable=True),
    sa.Column('dedupe_key', sa.String(length=200), nullable=True),
    sa.Column('status', sa.Enum('pending', 'sending', 'sent', 'failed', name='email_status', native_enum=False, create_constraint=True, length=20), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('next_attempt_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_error', sa.String(length=500), nullable=True),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], name=op.f('fk_outgoing_email_person_id_person')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_outgoing_email')),
    sa.UniqueConstraint('dedupe_key', name=op.f('uq_outgoing_email_dedupe_key'))
    )
    with op.batch_alter_table('outgoing_email', schema=None) as batch_op:
        batch_op.create_index('ix_outgoing_email_due', ['status', 'next_attempt_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_outgoing_email_kind'), ['kind'], unique=False)
        batch_op.create_index(batch_op.f('ix_outgoing_email_person_id'), ['person_id'], unique=False)


def downgrade():
    with op.batch_alter_table('outgoing_email', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_outgoing_email_person_id'))
        batch_op.drop_index(batch_op.f('ix_outgoing_email_kind'))
        batch_op.drop_index('ix_outgoing_email_due')

    op.drop_table('outgoing_email')
    op.drop_table('email_preference')
