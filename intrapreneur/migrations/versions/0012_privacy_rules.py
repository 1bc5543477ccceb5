"""privacy rules: the minimum group sizes an admin may change

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-27 11:05:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('privacy_rules',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('min_group', sa.Integer(), nullable=False),
    sa.Column('min_group_comments', sa.Integer(), nullable=False),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['updated_by_id'], ['person.id'], name=op.f('fk_privacy_rules_updated_by_id_person')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_privacy_rules'))
    )


def downgrade():
    op.drop_table('privacy_rules')
