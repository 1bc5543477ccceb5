"""release ledger: a published figure carries the answers behind each mean and which
dimensions are hidden, manager scopes are published with the organisation's figures, and
distributions are stored as merged bands; earlier publications are dropped (they are
derived data, decided by the older per-view rules) and the publishing job makes them again

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-07 08:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0019'
down_revision = '0018'
branch_labels = None
depends_on = None


def upgrade():
    op.execute('DELETE FROM published_figure')
    op.execute('DELETE FROM survey_publication')
    with op.batch_alter_table('published_figure', schema=None) as batch_op:
        batch_op.add_column(sa.Column('scope', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('answers', sa.JSON(), nullable=False))
        batch_op.add_column(sa.Column('hidden_dimensions', sa.JSON(), nullable=False))
    with op.batch_alter_table('survey_publication', schema=None) as batch_op:
        batch_op.drop_column('carried')


def downgrade():
    op.execute('DELETE FROM published_figure')
    op.execute('DELETE FROM survey_publication')
    with op.batch_alter_table('survey_publication', schema=None) as batch_op:
        batch_op.add_column(sa.Column('carried', sa.JSON(), nullable=False))
    with op.batch_alter_table('published_figure', schema=None) as batch_op:
        batch_op.drop_column('hidden_dimensions')
        batch_op.drop_column('answers')
        batch_op.drop_column('scope')
