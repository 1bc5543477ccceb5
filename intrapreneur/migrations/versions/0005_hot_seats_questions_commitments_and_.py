"""hot seats, questions, commitments and attendance

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-27 08:16:37.141594

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('attendance',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('session_id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('present', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], name=op.f('fk_attendance_person_id_person')),
    sa.ForeignKeyConstraint(['session_id'], ['learning_session.id'], name=op.f('fk_attendance_session_id_learning_session')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_attendance')),
    sa.UniqueConstraint('session_id', 'person_id', name=op.f('uq_attendance_session_id'))
    )
    with op.batch_alter_table('attendance', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_attendance_person_id'), ['person_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_attendance_session_id'), ['session_id'], unique=False)

    op.create_table('hot_seat',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('session_id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('challenge_title', sa.String(length=200), nullable=False),
    sa.Column('challenge_description', sa.Text(), nullable=False),
    sa.Column('barrier', sa.Enum('permission', 'resources', 'time', 'skills', 'customer_access', 'politics', 'risk_aversion', 'other', name='barrier', native_enum=False, create_constraint=True, length=20), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], name=op.f('fk_hot_seat_person_id_person')),
    sa.ForeignKeyConstraint(['session_id'], ['learning_session.id'], name=op.f('fk_hot_seat_session_id_learning_session')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_hot_seat'))
    )
    with op.batch_alter_table('hot_seat', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_hot_seat_person_id'), ['person_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_hot_seat_session_id'), ['session_id'], unique=False)

    op.create_table('action',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('session_id', sa.Integer(), nullable=False),
    sa.Column('hot_seat_id', sa.Integer(), nullable=True),
    sa.Column('owner_id', sa.Integer(), nullable=False),
    sa.Column('description', sa.String(length=500), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=False),
    sa.Column('status', sa.Enum('open', 'done', 'partly', 'not_done', name='action_status', native_enum=False, create_constraint=True, length=20), nullable=False),
    sa.Column('learning', sa.Text(), nullable=False),
    sa.Column('reviewed_in_session_id', sa.Integer(), nullable=True),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('experiment_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['hot_seat_id'], ['hot_seat.id'], name=op.f('fk_action_hot_seat_id_hot_seat')),
    sa.ForeignKeyConstraint(['owner_id'], ['person.id'], name=op.f('fk_action_owner_id_person')),
    sa.ForeignKeyConstraint(['reviewed_in_session_id'], ['learning_session.id'], name=op.f('fk_action_reviewed_in_session_id_learning_session')),
    sa.ForeignKeyConstraint(['session_id'], ['learning_session.id'], name=op.f('fk_action_session_id_learning_session')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_action'))
    )
    with op.batch_alter_table('action', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_action_due_on'), ['due_on'], unique=False)
        batch_op.create_index(batch_op.f('ix_action_hot_seat_id'), ['hot_seat_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_action_owner_id'), ['owner_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_action_reviewed_in_session_id'), ['reviewed_in_session_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_action_session_id'), ['session_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_action_status'), ['status'], unique=False)

    op.create_table('question',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('hot_seat_id', sa.Integer(), nullable=False),
    sa.Column('asked_by_id', sa.Integer(), nullable=False),
    sa.Column('text', sa.String(length=300), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['asked_by_id'], ['person.id'], name=op.f('fk_question_asked_by_id_person')),
    sa.ForeignKeyConstraint(['hot_seat_id'], ['hot_seat.id'], name=op.f('fk_question_hot_seat_id_hot_seat')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_question'))
    )
    with op.batch_alter_table('question', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_question_asked_by_id'), ['asked_by_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_question_hot_seat_id'), ['hot_seat_id'], unique=False)



def downgrade():
    with op.batch_alter_table('question', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_question_hot_seat_id'))
        batch_op.drop_index(batch_op.f('ix_question_asked_by_id'))

    op.drop_table('question')
    with op.batch_alter_table('action', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_action_status'))
        batch_op.drop_index(batch_op.f('ix_action_session_id'))
        batch_op.drop_index(batch_op.f('ix_action_reviewed_in_session_id'))
        batch_op.drop_index(batch_op.f('ix_action_owner_id'))
        batch_op.drop_index(batch_op.f('ix_action_hot_seat_id'))
        batch_op.drop_index(batch_op.f('ix_action_due_on'))

    op.drop_table('action')
    with op.batch_alter_table('hot_seat', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_hot_seat_session_id'))
        batch_op.drop_index(batch_op.f('ix_hot_seat_person_id'))

    op.drop_table('hot_seat')
    with op.batch_alter_table('attendance', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_attendance_session_id'))
        batch_op.drop_index(batch_op.f('ix_attendance_person_id'))

    op.drop_table('attendance')
