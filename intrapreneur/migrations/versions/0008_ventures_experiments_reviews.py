"""ventures, experiment boards, reviews and notifications

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-27 10:06:29.990707

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('notification',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('text', sa.String(length=500), nullable=False),
    sa.Column('link', sa.String(length=300), nullable=False),
    sa.Column('read_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], name=op.f('fk_notification_person_id_person')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_notification'))
    )
    with op.batch_alter_table('notification', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_notification_person_id'), ['person_id'], unique=False)

    op.create_table('venture',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('problem', sa.Text(), nullable=False),
    sa.Column('customer', sa.Text(), nullable=False),
    sa.Column('stage', sa.Enum('idea', 'problem', 'solution', 'business', 'scale', name='venture_stage', native_enum=False, create_constraint=True, length=20), nullable=False),
    sa.Column('visibility', sa.Enum('private', 'sets', 'organisation', name='venture_visibility', native_enum=False, create_constraint=True, length=20), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('archived_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['person.id'], name=op.f('fk_venture_created_by_id_person')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_venture'))
    )
    with op.batch_alter_table('venture', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_venture_created_by_id'), ['created_by_id'], unique=False)

    op.create_table('experiment',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('venture_id', sa.Integer(), nullable=False),
    sa.Column('parent_id', sa.Integer(), nullable=True),
    sa.Column('owner_id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('hypothesis', sa.Text(), nullable=False),
    sa.Column('assumption', sa.Enum('desirability', 'feasibility', 'viability', name='assumption', native_enum=False, create_constraint=True, length=20), nullable=False),
    sa.Column('test', sa.Text(), nullable=False),
    sa.Column('metric', sa.Text(), nullable=False),
    sa.Column('success_criterion', sa.Text(), nullable=False),
    sa.Column('starts_on', sa.Date(), nullable=True),
    sa.Column('ends_on', sa.Date(), nullable=True),
    sa.Column('cost_requested', sa.Numeric(precision=12, scale=2), nullable=False),
    sa.Column('days_requested', sa.Numeric(precision=6, scale=1), nullable=False),
    sa.Column('evidence', sa.Enum('say', 'do', 'pay', name='evidence', native_enum=False, create_constraint=True, length=20), nullable=False),
    sa.Column('column', sa.Enum('backlog', 'designing', 'running', 'analysing', 'decided', name='board_column', native_enum=False, create_constraint=True, length=20), nullable=False),
    sa.Column('moved_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('observation', sa.Text(), nullable=False),
    sa.Column('learning', sa.Text(), nullable=False),
    sa.Column('evidence_data', sa.Text(), nullable=False),
    sa.Column('decision', sa.Enum('persevere', 'pivot', 'kill', 'test_again', name='decision', native_enum=False, create_constraint=True, length=20), nullable=True),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('budget_approved', sa.Boolean(), nullable=True),
    sa.Column('review_requested_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['owner_id'], ['person.id'], name=op.f('fk_experiment_owner_id_person')),
    sa.ForeignKeyConstraint(['parent_id'], ['experiment.id'], name=op.f('fk_experiment_parent_id_experiment')),
    sa.ForeignKeyConstraint(['venture_id'], ['venture.id'], name=op.f('fk_experiment_venture_id_venture')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_experiment'))
    )
    with op.batch_alter_table('experiment', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_experiment_column'), ['column'], unique=False)
        batch_op.create_index(batch_op.f('ix_experiment_decided_at'), ['decided_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_experiment_ends_on'), ['ends_on'], unique=False)
        batch_op.create_index(batch_op.f('ix_experiment_owner_id'), ['owner_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_experiment_parent_id'), ['parent_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_experiment_review_requested_at'), ['review_requested_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_experiment_venture_id'), ['venture_id'], unique=False)

    op.create_table('venture_member',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('venture_id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('role', sa.Enum('owner', 'member', name='venture_role', native_enum=False, create_constraint=True, length=20), nullable=False),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], name=op.f('fk_venture_member_person_id_person')),
    sa.ForeignKeyConstraint(['venture_id'], ['venture.id'], name=op.f('fk_venture_member_venture_id_venture')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_venture_member')),
    sa.UniqueConstraint('venture_id', 'person_id', name=op.f('uq_venture_member_venture_id'))
    )
    with op.batch_alter_table('venture_member', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_venture_member_person_id'), ['person_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_venture_member_venture_id'), ['venture_id'], unique=False)

    op.create_table('venture_share',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('venture_id', sa.Integer(), nullable=False),
    sa.Column('set_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['set_id'], ['learning_set.id'], name=op.f('fk_venture_share_set_id_learning_set')),
    sa.ForeignKeyConstraint(['venture_id'], ['venture.id'], name=op.f('fk_venture_share_venture_id_venture')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_venture_share')),
    sa.UniqueConstraint('venture_id', 'set_id', name=op.f('uq_venture_share_venture_id'))
    )
    with op.batch_alter_table('venture_share', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_venture_share_set_id'), ['set_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_venture_share_venture_id'), ['venture_id'], unique=False)

    op.create_table('review',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('venture_id', sa.Integer(), nullable=False),
    sa.Column('experiment_id', sa.Integer(), nullable=True),
    sa.Column('reviewer_id', sa.Integer(), nullable=False),
    sa.Column('tag', sa.Enum('support', 'challenge', name='review_tag', native_enum=False, create_constraint=True, length=20), nullable=False),
    sa.Column('comment', sa.Text(), nullable=False),
    sa.Column('budget_approved', sa.Boolean(), nullable=True),
    sa.Column('approved_cost', sa.Numeric(precision=12, scale=2), nullable=False),
    sa.Column('approved_days', sa.Numeric(precision=6, scale=1), nullable=False),
    sa.Column('waited_seconds', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['experiment_id'], ['experiment.id'], name=op.f('fk_review_experiment_id_experiment')),
    sa.ForeignKeyConstraint(['reviewer_id'], ['person.id'], name=op.f('fk_review_reviewer_id_person')),
    sa.ForeignKeyConstraint(['venture_id'], ['venture.id'], name=op.f('fk_review_venture_id_venture')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_review'))
    )
    with op.batch_alter_table('review', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_review_experiment_id'), ['experiment_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_review_reviewer_id'), ['reviewer_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_review_venture_id'), ['venture_id'], unique=False)

    with op.batch_alter_table('action', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_action_experiment_id'), ['experiment_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_action_experiment_id_experiment'), 'experiment', ['experiment_id'], ['id'])

    with op.batch_alter_table('audit_event', schema=None) as batch_op:
        batch_op.create_index('ix_audit_event_object', ['object_type', 'object_id'], unique=False)



def downgrade():
    with op.batch_alter_table('audit_event', schema=None) as batch_op:
        batch_op.drop_index('ix_audit_event_object')

    with op.batch_alter_table('action', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_action_experiment_id_experiment'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_action_experiment_id'))

    with op.batch_alter_table('review', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_review_venture_id'))
        batch_op.drop_index(batch_op.f('ix_review_reviewer_id'))
        batch_op.drop_index(batch_op.f('ix_review_experiment_id'))

    op.drop_table('review')
    with op.batch_alter_table('venture_share', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_venture_share_venture_id'))
        batch_op.drop_index(batch_op.f('ix_venture_share_set_id'))

    op.drop_table('venture_share')
    with op.batch_alter_table('venture_member', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_venture_member_venture_id'))
        batch_op.drop_index(batch_op.f('ix_venture_member_person_id'))

    op.drop_table('venture_member')
    with op.batch_alter_table('experiment', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_experiment_venture_id'))
        batch_op.drop_index(batch_op.f('ix_experiment_review_requested_at'))
        batch_op.drop_index(batch_op.f('ix_experiment_parent_id'))
        batch_op.drop_index(batch_op.f('ix_experiment_owner_id'))
        batch_op.drop_index(batch_op.f('ix_experiment_ends_on'))
        batch_op.drop_index(batch_op.f('ix_experiment_decided_at'))
        batch_op.drop_index(batch_op.f('ix_experiment_column'))

    op.drop_table('experiment')
    with op.batch_alter_table('venture', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_venture_created_by_id'))

    op.drop_table('venture')
    with op.batch_alter_table('notification', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_notification_person_id'))

    op.drop_table('notification')
