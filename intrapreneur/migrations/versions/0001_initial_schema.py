"""People, roles, departments, guest invitations, the append-only audit log,
programmes, cohorts and sets.

Revision ID: 0001
Revises: 
Create Date: 2026-11-27 07:05:05.245116

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('department',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_department')),
    sa.UniqueConstraint('name', name=op.f('uq_department_name'))
    )
    op.create_table('programme',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_programme')),
    sa.UniqueConstraint('name', name=op.f('uq_programme_name'))
    )
    op.create_table('cohort',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('programme_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('starts_on', sa.Date(), nullable=False),
    sa.Column('ends_on', sa.Date(), nullable=False),
    sa.Column('capacity', sa.Integer(), nullable=False),
    sa.Column('enrolment_open', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['programme_id'], ['programme.id'], name=op.f('fk_cohort_programme_id_programme')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_cohort'))
    )
    with op.batch_alter_table('cohort', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_cohort_programme_id'), ['programme_id'], unique=False)

    op.create_table('person',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('employee', 'guest', name='person_kind', native_enum=False, create_constraint=True, length=20), nullable=False),
    sa.Column('directory_id', sa.String(length=64), nullable=True),
    sa.Column('username', sa.String(length=128), nullable=True),
    sa.Column('email', sa.String(length=254), nullable=True),
    sa.Column('display_name', sa.String(length=200), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=True),
    sa.Column('department_id', sa.Integer(), nullable=True),
    sa.Column('manager_id', sa.Integer(), nullable=True),
    sa.Column('password_hash', sa.String(length=255), nullable=True),
    sa.Column('access_ends_on', sa.Date(), nullable=True),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('last_sign_in_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['department_id'], ['department.id'], name=op.f('fk_person_department_id_department')),
    sa.ForeignKeyConstraint(['manager_id'], ['person.id'], name=op.f('fk_person_manager_id_person')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_person')),
    sa.UniqueConstraint('directory_id', name=op.f('uq_person_directory_id')),
    sa.UniqueConstraint('email', name=op.f('uq_person_email')),
    sa.UniqueConstraint('username', name=op.f('uq_person_username'))
    )
    with op.batch_alter_table('person', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_person_department_id'), ['department_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_person_manager_id'), ['manager_id'], unique=False)

    op.create_table('audit_event',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('occurred_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('actor_label', sa.String(length=200), nullable=False),
    sa.Column('action', sa.String(length=80), nullable=False),
    sa.Column('object_type', sa.String(length=40), nullable=True),
    sa.Column('object_id', sa.String(length=64), nullable=True),
    sa.Column('details', sa.JSON(), nullable=False),
    sa.Column('ip_address', sa.String(length=45), nullable=True),
    sa.ForeignKeyConstraint(['actor_id'], ['person.id'], name=op.f('fk_audit_event_actor_id_person')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_event'))
    )
    with op.batch_alter_table('audit_event', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_audit_event_action'), ['action'], unique=False)
        batch_op.create_index(batch_op.f('ix_audit_event_actor_id'), ['actor_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_audit_event_occurred_at'), ['occurred_at'], unique=False)

    op.create_table('invitation',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('invited_by_id', sa.Integer(), nullable=True),
    sa.Column('secret_hash', sa.String(length=64), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('accepted_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['invited_by_id'], ['person.id'], name=op.f('fk_invitation_invited_by_id_person')),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], name=op.f('fk_invitation_person_id_person')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_invitation')),
    sa.UniqueConstraint('secret_hash', name=op.f('uq_invitation_secret_hash'))
    )
    with op.batch_alter_table('invitation', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_invitation_invited_by_id'), ['invited_by_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_invitation_person_id'), ['person_id'], unique=False)

    op.create_table('learning_set',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('cohort_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('facilitator_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['cohort_id'], ['cohort.id'], name=op.f('fk_learning_set_cohort_id_cohort')),
    sa.ForeignKeyConstraint(['facilitator_id'], ['person.id'], name=op.f('fk_learning_set_facilitator_id_person')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_learning_set'))
    )
    with op.batch_alter_table('learning_set', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_learning_set_cohort_id'), ['cohort_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_learning_set_facilitator_id'), ['facilitator_id'], unique=False)

    op.create_table('person_role',
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('role', sa.Enum('employee', 'facilitator', 'manager', 'hr', 'admin', 'guest', name='role', native_enum=False, create_constraint=True, length=20), nullable=False),
    sa.Column('source', sa.String(length=20), nullable=False),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], name=op.f('fk_person_role_person_id_person'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('person_id', 'role', name=op.f('pk_person_role'))
    )
    op.create_table('set_membership',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('set_id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('joined_on', sa.Date(), nullable=False),
    sa.Column('left_on', sa.Date(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], name=op.f('fk_set_membership_person_id_person')),
    sa.ForeignKeyConstraint(['set_id'], ['learning_set.id'], name=op.f('fk_set_membership_set_id_learning_set')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_set_membership'))
    )
    with op.batch_alter_table('set_membership', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_set_membership_person_id'), ['person_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_set_membership_set_id'), ['set_id'], unique=False)
    _make_audit_log_append_only()


def downgrade():
    _drop_audit_log_guards()
    with op.batch_alter_table('set_membership', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_set_membership_set_id'))
        batch_op.drop_index(batch_op.f('ix_set_membership_person_id'))

    op.drop_table('set_membership')
    op.drop_table('person_role')
    with op.batch_alter_table('learning_set', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_learning_set_facilitator_id'))
        batch_op.drop_index(batch_op.f('ix_learning_set_cohort_id'))

    op.drop_table('learning_set')
    with op.batch_alter_table('invitation', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_invitation_person_id'))
        batch_op.drop_index(batch_op.f('ix_invitation_invited_by_id'))

    op.drop_table('invitation')
    with op.batch_alter_table('audit_event', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_audit_event_occurred_at'))
        batch_op.drop_index(batch_op.f('ix_audit_event_actor_id'))
        batch_op.drop_index(batch_op.f('ix_audit_event_action'))

    op.drop_table('audit_event')
    with op.batch_alter_table('person', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_person_manager_id'))
        batch_op.drop_index(batch_op.f('ix_person_department_id'))

    op.drop_table('person')
    with op.batch_alter_table('cohort', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_cohort_programme_id'))

    op.drop_table('cohort')
    op.drop_table('programme')
    op.drop_table('department')


# The audit log refuses UPDATE and DELETE in the database itself, so not even a
# bug or a hand-written SQL statement through the app's account can rewrite history.
_GUARDED = ("UPDATE", "DELETE")


def _make_audit_log_append_only():
    dialect = op.get_bind().dialect.name
    if dialect == "postgresql":
        op.execute(
            "CREATE FUNCTION audit_event_is_append_only() RETURNS trigger LANGUAGE plpgsql AS $$ "
            "BEGIN RAISE EXCEPTION 'audit log is append-only'; END $$"
        )
        for operation in _GUARDED:
            op.execute(
                f"CREATE TRIGGER audit_event_no_{operation.lower()} BEFORE {operation} ON audit_event "
                "FOR EACH ROW EXECUTE FUNCTION audit_event_is_append_only()"
            )
    elif dialect == "sqlite":
        for operation in _GUARDED:
            op.execute(
                f"CREATE TRIGGER audit_event_no_{operation.lower()} BEFORE {operation} ON audit_event "
                "BEGIN SELECT RAISE(ABORT, 'audit log is append-only'); END"
            )


def _drop_audit_log_guards():
    dialect = op.get_bind().dialect.name
    for operation in _GUARDED:
        if dialect == "postgresql":
            op.execute(f"DROP TRIGGER IF EXISTS audit_event_no_{operation.lower()} ON audit_event")
        else:
            op.execute(f"DROP TRIGGER IF EXISTS audit_event_no_{operation.lower()}")
    if dialect == "postgresql":
        op.execute("DROP FUNCTION IF EXISTS audit_event_is_append_only()")
