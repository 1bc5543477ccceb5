"""survey invitations no longer record who answered

Whether someone answered is now known only through their keyed pseudonym on the
response: with the flag gone, the database alone cannot tell who answered, even in
a department where only one person did.

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-27 10:55:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('survey_invitation', schema=None) as batch_op:
        batch_op.drop_column('answered')


def downgrade():
    # The flag cannot be rebuilt from pseudonymous responses: every invitation comes back
    # as not answered.
    with op.batch_alter_table('survey_invitation', schema=None) as batch_op:
        batch_op.add_column(sa.Column('answered', sa.Boolean(), nullable=False, server_default=sa.false()))
