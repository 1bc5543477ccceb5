"""job heartbeats: a running job writes when it was last alive, so one whose process was
killed is known for dead within minutes, not after the hour any job may run

Revision ID: 0018
Revises: 0017
Create Date: 2026-11-27 18:30:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0018'
down_revision = '0017'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('background_job', schema=None) as batch_op:
        batch_op.add_column(sa.Column('heartbeat_at', sa.DateTime(timezone=True), nullable=True))


def downgrade():
    with op.batch_alter_table('background_job', schema=None) as batch_op:
        batch_op.drop_column('heartbeat_at')
