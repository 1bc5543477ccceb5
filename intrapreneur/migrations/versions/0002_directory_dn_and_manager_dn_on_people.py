"""directory DN and manager DN on people

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-27 07:17:42.093740

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('person', schema=None) as batch_op:
        batch_op.add_column(sa.Column('directory_dn', sa.String(length=1024), nullable=True))
        batch_op.add_column(sa.Column('manager_dn', sa.String(length=1024), nullable=True))
        batch_op.create_index(batch_op.f('ix_person_directory_dn'), ['directory_dn'], unique=False)
        batch_op.create_index(batch_op.f('ix_person_manager_dn'), ['manager_dn'], unique=False)



def downgrade():
    with op.batch_alter_table('person', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_person_manager_dn'))
        batch_op.drop_index(batch_op.f('ix_person_directory_dn'))
        batch_op.drop_column('manager_dn')
        batch_op.drop_column('directory_dn')

