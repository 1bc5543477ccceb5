"""export files: large exports made by a background job, for one person to download

Revision ID: 0016
Revises: 0015
Create Date: 2026-11-27 13:58:53.497724

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0016'
down_revision = '0015'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('export_file',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('job_id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('file_name', sa.String(length=200), nullable=False),
    sa.Column('content_type', sa.String(length=100), nullable=False),
    sa.Column('content', sa.LargeBinary(), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['job_id'], ['background_job.id'], name=op.f('fk_export_file_job_id_background_job'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], name=op.f('fk_export_file_person_id_person')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_export_file')),
    sa.UniqueConstraint('job_id', name=op.f('uq_export_file_job_id'))
    )
    with op.batch_alter_table('export_file', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_export_file_expires_at'), ['expires_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_export_file_person_id'), ['person_id'], unique=False)



def downgrade():
    with op.batch_alter_table('export_file', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_export_file_person_id'))
        batch_op.drop_index(batch_op.f('ix_export_file_expires_at'))

    op.drop_table('export_file')
