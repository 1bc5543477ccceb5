"""expertise and Hacks: HR's vocabulary of expertise tags, entrepreneurs' profiles and weekly
availability, Hack requests with their proposed times (an accepted one is a Hack session), and
the Hack email kind

Revision ID: 0038
Revises: 0037
Create Date: 2026-12-08 03:17:09.368727

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0038'
down_revision = '0037'
branch_labels = None
depends_on = None

EMAIL_KINDS = ['guest_invitation', 'session_invitation', 'session_update', 'session_cancellation', 'action_reminder', 'session_reminder', 'review_notification', 'survey_invitation', 'password_reset', 'enrolment', 'facilitator_change', 'guest_access', 'review_digest', 'survey_reminder', 'two_step_reset', 'learning_digest']


def _allow_email_kinds(kinds):
    # The enum's CHECK lists the kinds: it is replaced whole (on SQLite by a table copy).
    with op.batch_alter_table('outgoing_email', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_outgoing_email_email_kind'), type_='check')
        batch_op.create_check_constraint(
            op.f('ck_outgoing_email_email_kind'),
            sa.column('kind').in_(kinds),
        )


def upgrade():
    _allow_email_kinds([*EMAIL_KINDS, 'hack'])
    op.create_table('expertise_tag',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=80), nullable=False),
    sa.Column('retired_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_expertise_tag')),
    sa.UniqueConstraint('name', name=op.f('uq_expertise_tag_name'))
    )
    op.create_table('availability_window',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('weekday', sa.Integer(), nullable=False),
    sa.Column('start_minute', sa.Integer(), nullable=False),
    sa.Column('end_minute', sa.Integer(), nullable=False),
    sa.CheckConstraint('start_minute >= 0 AND end_minute <= 1440 AND start_minute < end_minute', name=op.f('ck_availability_window_minute_range')),
    sa.CheckConstraint('weekday BETWEEN 0 AND 6', name=op.f('ck_availability_window_weekday_range')),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], name=op.f('fk_availability_window_person_id_person')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_availability_window'))
    )
    with op.batch_alter_table('availability_window', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_availability_window_person_id'), ['person_id'], unique=False)

    op.create_table('expertise_profile',
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('bio', sa.Text(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], name=op.f('fk_expertise_profile_person_id_person')),
    sa.PrimaryKeyConstraint('person_id', name=op.f('pk_expertise_profile'))
    )
    op.create_table('profile_expertise',
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('tag_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], name=op.f('fk_profile_expertise_person_id_person')),
    sa.ForeignKeyConstraint(['tag_id'], ['expertise_tag.id'], name=op.f('fk_profile_expertise_tag_id_expertise_tag')),
    sa.PrimaryKeyConstraint('person_id', 'tag_id', name=op.f('pk_profile_expertise'))
    )
    with op.batch_alter_table('profile_expertise', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_profile_expertise_tag_id'), ['tag_id'], unique=False)

    op.create_table('hack_request',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('requester_id', sa.Integer(), nullable=False),
    sa.Column('entrepreneur_id', sa.Integer(), nullable=False),
    sa.Column('hot_seat_id', sa.Integer(), nullable=True),
    sa.Column('experiment_id', sa.Integer(), nullable=True),
    sa.Column('expertise_tag_id', sa.Integer(), nullable=True),
    sa.Column('topic', sa.String(length=200), nullable=False),
    sa.Column('message', sa.Text(), nullable=False),
    sa.Column('status', sa.Enum('requested', 'accepted', 'declined', name='hack_status', native_enum=False, create_constraint=True, length=20), nullable=False),
    sa.Column('answered_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('decline_reason', sa.Text(), nullable=False),
    sa.Column('starts_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('ends_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('agenda', sa.JSON(), nullable=False),
    sa.Column('sequence', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('(hot_seat_id IS NULL) <> (experiment_id IS NULL)', name=op.f('ck_hack_request_one_challenge')),
    sa.ForeignKeyConstraint(['entrepreneur_id'], ['person.id'], name=op.f('fk_hack_request_entrepreneur_id_person')),
    sa.ForeignKeyConstraint(['experiment_id'], ['experiment.id'], name=op.f('fk_hack_request_experiment_id_experiment')),
    sa.ForeignKeyConstraint(['expertise_tag_id'], ['expertise_tag.id'], name=op.f('fk_hack_request_expertise_tag_id_expertise_tag')),
    sa.ForeignKeyConstraint(['hot_seat_id'], ['hot_seat.id'], name=op.f('fk_hack_request_hot_seat_id_hot_seat')),
    sa.ForeignKeyConstraint(['requester_id'], ['person.id'], name=op.f('fk_hack_request_requester_id_person')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_hack_request'))
    )
    with op.batch_alter_table('hack_request', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_hack_request_entrepreneur_id'), ['entrepreneur_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_hack_request_experiment_id'), ['experiment_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_hack_request_expertise_tag_id'), ['expertise_tag_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_hack_request_hot_seat_id'), ['hot_seat_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_hack_request_requester_id'), ['requester_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_hack_request_starts_at'), ['starts_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_hack_request_status'), ['status'], unique=False)

    op.create_table('hack_proposed_time',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('request_id', sa.Integer(), nullable=False),
    sa.Column('starts_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('ends_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['request_id'], ['hack_request.id'], name=op.f('fk_hack_proposed_time_request_id_hack_request')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_hack_proposed_time'))
    )
    with op.batch_alter_table('hack_proposed_time', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_hack_proposed_time_request_id'), ['request_id'], unique=False)



def downgrade():
    op.execute("DELETE FROM outgoing_email WHERE kind = 'hack'")
    _allow_email_kinds(EMAIL_KINDS)
    with op.batch_alter_table('hack_proposed_time', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_hack_proposed_time_request_id'))

    op.drop_table('hack_proposed_time')
    with op.batch_alter_table('hack_request', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_hack_request_status'))
        batch_op.drop_index(batch_op.f('ix_hack_request_starts_at'))
        batch_op.drop_index(batch_op.f('ix_hack_request_requester_id'))
        batch_op.drop_index(batch_op.f('ix_hack_request_hot_seat_id'))
        batch_op.drop_index(batch_op.f('ix_hack_request_expertise_tag_id'))
        batch_op.drop_index(batch_op.f('ix_hack_request_experiment_id'))
        batch_op.drop_index(batch_op.f('ix_hack_request_entrepreneur_id'))

    op.drop_table('hack_request')
    with op.batch_alter_table('profile_expertise', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_profile_expertise_tag_id'))

    op.drop_table('profile_expertise')
    op.drop_table('expertise_profile')
    with op.batch_alter_table('availability_window', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_availability_window_person_id'))

    op.drop_table('availability_window')
    op.drop_table('expertise_tag')
