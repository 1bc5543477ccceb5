"""SAML sign-in: the IdP's persistent NameID of a person, the requests waiting for the IdP's
answer and the assertion and request IDs already used (replays refused by every process)

Revision ID: 0027
Revises: 0026
Create Date: 2026-12-07 16:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0027'
down_revision = '0026'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('person', schema=None) as batch_op:
        batch_op.add_column(sa.Column('saml_name_id', sa.String(length=256), nullable=True))
        batch_op.create_unique_constraint(batch_op.f('uq_person_saml_name_id'), ['saml_name_id'])

    op.create_table('saml_request',
    sa.Column('id', sa.String(length=100), nullable=False),
    sa.Column('browser_hash', sa.String(length=64), nullable=False),
    sa.Column('next_url', sa.String(length=2048), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_saml_request'))
    )
    with op.batch_alter_table('saml_request', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_saml_request_expires_at'), ['expires_at'], unique=False)

    op.create_table('saml_used_id',
    sa.Column('id', sa.String(length=300), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_saml_used_id'))
    )
    with op.batch_alter_table('saml_used_id', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_saml_used_id_expires_at'), ['expires_at'], unique=False)


def downgrade():
    with op.batch_alter_table('saml_used_id', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_saml_used_id_expires_at'))

    op.drop_table('saml_used_id')
    with op.batch_alter_table('saml_request', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_saml_request_expires_at'))

    op.drop_table('saml_request')
    with op.batch_alter_table('person', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_person_saml_name_id'), type_='unique')
        batch_op.drop_column('saml_name_id')
