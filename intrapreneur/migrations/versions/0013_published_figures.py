"""published figures of closed survey waves: suppressed once, read by every view

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-27 12:23:33.937964

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('survey_publication',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('wave_id', sa.Integer(), nullable=False),
    sa.Column('min_group', sa.Integer(), nullable=False),
    sa.Column('min_group_comments', sa.Integer(), nullable=False),
    sa.Column('earlier', sa.Text(), nullable=False),
    sa.Column('carried', sa.JSON(), nullable=False),
    sa.Column('comment_departments', sa.JSON(), nullable=False),
    sa.Column('alphas', sa.JSON(), nullable=False),
    sa.Column('distributions', sa.JSON(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['wave_id'], ['survey_wave.id'], name=op.f('fk_survey_publication_wave_id_survey_wave'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_survey_publication')),
    sa.UniqueConstraint('wave_id', 'min_group', 'min_group_comments', 'earlier', name=op.f('uq_survey_publication_wave_id'))
    )
    op.create_table('published_figure',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('publication_id', sa.Integer(), nullable=False),
    sa.Column('width', sa.Integer(), nullable=False),
    sa.Column('department', sa.String(length=20), nullable=True),
    sa.Column('cohort', sa.String(length=20), nullable=True),
    sa.Column('group', sa.String(length=20), nullable=True),
    sa.Column('department_id', sa.Integer(), nullable=True),
    sa.Column('cohort_id', sa.Integer(), nullable=True),
    sa.Column('respondents', sa.Integer(), nullable=True),
    sa.Column('hidden', sa.Boolean(), nullable=False),
    sa.Column('means', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['publication_id'], ['survey_publication.id'], name=op.f('fk_published_figure_publication_id_survey_publication'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_published_figure'))
    )
    with op.batch_alter_table('published_figure', schema=None) as batch_op:
        batch_op.create_index('ix_published_figure_slice', ['publication_id', 'width', 'cohort', 'group'], unique=False)



def downgrade():
    with op.batch_alter_table('published_figure', schema=None) as batch_op:
        batch_op.drop_index('ix_published_figure_slice')

    op.drop_table('published_figure')
    op.drop_table('survey_publication')
