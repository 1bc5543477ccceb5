"""the language a background job's outcome is written in (its asker's, when it ran; jobs
that ran before languages were offered wrote English)

Revision ID: 0033
Revises: 0032
Create Date: 2026-12-07 20:10:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0033'
down_revision = '0032'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('background_job', schema=None) as batch_op:
        batch_op.add_column(sa.Column('language', sa.String(length=16), nullable=True))
    op.execute("UPDATE background_job SET language = 'en' WHERE message IS NOT NULL OR error IS NOT NULL")


def downgrade():
    with op.batch_alter_table('background_job', schema=None) as batch_op:
        batch_op.drop_column('language')
