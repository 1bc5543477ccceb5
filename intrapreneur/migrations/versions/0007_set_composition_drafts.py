"""set composer drafts: one per cohort between proposing and publishing

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-27 10:20:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('set_composition',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('cohort_id', sa.Integer(), nullable=False),
    sa.Column('arrangement', sa.JSON(), nullable=False),
    sa.Column('facilitators', sa.JSON(), nullable=False),
    sa.Column('keep_apart_previous', sa.Boolean(), nullable=False),
    sa.Column('seed', sa.Integer(), nullable=False),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['cohort_id'], ['cohort.id'], name=op.f('fk_set_composition_cohort_id_cohort')),
    sa.ForeignKeyConstraint(['updated_by_id'], ['person.id'], name=op.f('fk_set_composition_updated_by_id_person')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_set_composition')),
    sa.UniqueConstraint('cohort_id', name=op.f('uq_set_composition_cohort_id'))
    )
    with op.batch_alter_table('set_composition', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_set_composition_updated_by_id'), ['updated_by_id'], unique=False)


def downgrade():
    with op.batch_alter_table('set_composition', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_set_composition_updated_by_id'))

    op.drop_table('set_composition')
