"""agenda templates: HR's own agenda for a session format, replacing the shipped one

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-27 09:50:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade():
    # A new table: no existing rows need server defaults.
    op.create_table('agenda_template',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('format', sa.Enum('power_hour', 'mastermind', 'hack', 'enablement', name='session_format', native_enum=False, create_constraint=True, length=20), nullable=False),
    sa.Column('segments', sa.JSON(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_by_id', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['updated_by_id'], ['person.id'], name=op.f('fk_agenda_template_updated_by_id_person')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_agenda_template')),
    sa.UniqueConstraint('format', name=op.f('uq_agenda_template_format'))
    )
    with op.batch_alter_table('agenda_template', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_agenda_template_updated_by_id'), ['updated_by_id'], unique=False)



def downgrade():
    with op.batch_alter_table('agenda_template', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_agenda_template_updated_by_id'))

    op.drop_table('agenda_template')
