"""API tokens expire: each client's expiry date (tokens issued before this migration expire
one year after it, so no HR system stops at the upgrade and each shows up in the admins'
"expiring soon" list in time to be replaced)

Revision ID: 0028
Revises: 0027
Create Date: 2026-12-07 16:00:00.000000

"""
from datetime import UTC, datetime, timedelta

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0028'
down_revision = '0027'
branch_labels = None
depends_on = None

GRACE_FOR_EXISTING_TOKENS = timedelta(days=365)


def upgrade():
    with op.batch_alter_table('api_client', schema=None) as batch_op:
        batch_op.add_column(sa.Column('expires_at', sa.DateTime(timezone=True), nullable=True))
    # A typed parameter: the database's own driver would otherwise choose the format.
    expires_at = sa.bindparam('expires_at', type_=sa.DateTime(timezone=True))
    op.get_bind().execute(
        sa.text('UPDATE api_client SET expires_at = :expires_at').bindparams(expires_at),
        {'expires_at': datetime.now(UTC) + GRACE_FOR_EXISTING_TOKENS},
    )
    with op.batch_alter_table('api_client', schema=None) as batch_op:
        batch_op.alter_column('expires_at', existing_type=sa.DateTime(timezone=True), nullable=False)
        batch_op.create_index(batch_op.f('ix_api_client_expires_at'), ['expires_at'], unique=False)


def downgrade():
    with op.batch_alter_table('api_client', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_api_client_expires_at'))
        batch_op.drop_column('expires_at')
