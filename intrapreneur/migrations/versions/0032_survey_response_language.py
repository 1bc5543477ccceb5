"""the language each survey response was answered in (answers given before surveys were
translated were given in English)

Revision ID: 0032
Revises: 0031
Create Date: 2026-12-07 19:40:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0032'
down_revision = '0031'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('survey_response', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('language', sa.String(length=16), server_default='en', nullable=False)
        )


def downgrade():
    with op.batch_alter_table('survey_response', schema=None) as batch_op:
        batch_op.drop_column('language')
