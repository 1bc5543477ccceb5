"""Sessions; a set's default format and cadence; each person's calendar token and time zone.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-27 08:09:45.046033

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('learning_session',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('set_id', sa.Integer(), nullable=False),
    sa.Column('format', sa.Enum('power_hour', 'mastermind', 'hack', 'enablement', name='session_format', native_enum=False, create_constraint=True, length=20), nullable=False),
    sa.Column('starts_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('ends_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('location', sa.String(length=300), nullable=True),
    sa.Column('video_url', sa.String(length=500), nullable=True),
    sa.Column('agenda', sa.JSON(), nullable=False),
    sa.Column('sequence', sa.Integer(), nullable=False),
    sa.Column('cancelled_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['set_id'], ['learning_set.id'], name=op.f('fk_learning_session_set_id_learning_set')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_learning_session'))
    )
    with op.batch_alter_table('learning_session', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_learning_session_set_id'), ['set_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_learning_session_starts_at'), ['starts_at'], unique=False)

    with op.batch_alter_table('learning_set', schema=None) as batch_op:
        # Server defaults fill the rows that exist already.
        batch_op.add_column(sa.Column('default_format', sa.Enum('power_hour', 'mastermind', 'hack', 'enablement', name='session_format', native_enum=False, create_constraint=True, length=20), nullable=False, server_default='mastermind'))
        batch_op.add_column(sa.Column('cadence_days', sa.Integer(), nullable=False, server_default='14'))

    with op.batch_alter_table('person', schema=None) as batch_op:
        batch_op.add_column(sa.Column('calendar_token', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('time_zone', sa.String(length=64), nullable=False, server_default='Europe/London'))
        # A unique index, not a constraint: SQLite adds it without rebuilding the table.
        batch_op.create_index(batch_op.f('ix_person_calendar_token'), ['calendar_token'], unique=True)



def downgrade():
    with op.batch_alter_table('person', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_person_calendar_token'))
        batch_op.drop_column('time_zone')
        batch_op.drop_column('calendar_token')

    with op.batch_alter_table('learning_set', schema=None) as batch_op:
        # The enum's CHECK names the column; it must go first or SQLite's table copy fails.
        batch_op.drop_constraint(op.f('ck_learning_set_session_format'), type_='check')
        batch_op.drop_column('cadence_days')
        batch_op.drop_column('default_format')

    with op.batch_alter_table('learning_session', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_learning_session_starts_at'))
        batch_op.drop_index(batch_op.f('ix_learning_session_set_id'))

    op.drop_table('learning_session')
