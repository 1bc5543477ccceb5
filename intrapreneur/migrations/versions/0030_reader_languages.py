"""the language each person reads the product in: their own choice, and the one the
directory's preferredLanguage asks for

Revision ID: 0030
Revises: 0029
Create Date: 2026-12-07 16:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0030'
down_revision = '0029'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('person', schema=None) as batch_op:
        batch_op.add_column(sa.Column('chosen_locale', sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column('directory_locale', sa.String(length=16), nullable=True))


def downgrade():
    with op.batch_alter_table('person', schema=None) as batch_op:
        batch_op.drop_column('directory_locale')
        batch_op.drop_column('chosen_locale')
