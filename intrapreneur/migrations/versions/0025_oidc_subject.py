"""OpenID Connect sign-in: the provider's stable id of a person (sub or oid), stored at
their first sign-in

Revision ID: 0025
Revises: 0024
Create Date: 2026-12-07 14:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0025'
down_revision = '0024'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('person', schema=None) as batch_op:
        batch_op.add_column(sa.Column('oidc_subject', sa.String(length=255), nullable=True))
        batch_op.create_unique_constraint(batch_op.f('uq_person_oidc_subject'), ['oidc_subject'])


def downgrade():
    with op.batch_alter_table('person', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_person_oidc_subject'), type_='unique')
        batch_op.drop_column('oidc_subject')
