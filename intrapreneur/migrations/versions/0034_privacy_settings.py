"""data protection: the administrator's retention and erasure settings, and when each
person was switched off (their retention counts from there) or erased

Revision ID: 0034
Revises: 0033
Create Date: 2026-12-07 22:30:00.000000

"""
from alembic import op
import sqlalchemy as sa



# revision identifiers, used by Alembic.
revision = '0034'
down_revision = '0033'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('privacy_setting',
    sa.Column('name', sa.String(length=60), nullable=False),
    sa.Column('value', sa.String(length=20), nullable=False),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['updated_by_id'], ['person.id'], name=op.f('fk_privacy_setting_updated_by_id_person')),
    sa.PrimaryKeyConstraint('name', name=op.f('pk_privacy_setting'))
    )
    with op.batch_alter_table('privacy_setting', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_privacy_setting_updated_by_id'), ['updated_by_id'], unique=False)

    with op.batch_alter_table('person', schema=None) as batch_op:
        batch_op.add_column(sa.Column('deactivated_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('erased_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.create_index(batch_op.f('ix_person_deactivated_at'), ['deactivated_at'], unique=False)

    # People already switched off: from the last time the log saw it, else from now (their
    # retention period starts with this upgrade rather than being guessed shorter).
    op.execute(
        "UPDATE person SET deactivated_at = (SELECT max(audit_event.occurred_at) FROM audit_event "
        "WHERE audit_event.action = 'person.deactivated' AND audit_event.object_type = 'person' "
        "AND audit_event.object_id = CAST(person.id AS VARCHAR(64))) WHERE NOT person.active"
    )
    op.execute(
        "UPDATE person SET deactivated_at = CURRENT_TIMESTAMP "
        "WHERE NOT person.active AND person.deactivated_at IS NULL"
    )


def downgrade():
    with op.batch_alter_table('person', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_person_deactivated_at'))
        batch_op.drop_column('erased_at')
        batch_op.drop_column('deactivated_at')

    with op.batch_alter_table('privacy_setting', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_privacy_setting_updated_by_id'))

    op.drop_table('privacy_setting')
