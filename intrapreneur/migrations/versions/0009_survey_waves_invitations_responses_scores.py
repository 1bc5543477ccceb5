"""survey waves, invitations, responses and scores

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-27 10:38:39.536169

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('survey_wave',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('instrument_key', sa.String(length=120), nullable=False),
    sa.Column('opens_on', sa.Date(), nullable=False),
    sa.Column('closes_on', sa.Date(), nullable=False),
    sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['person.id'], name=op.f('fk_survey_wave_created_by_id_person')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_survey_wave'))
    )
    with op.batch_alter_table('survey_wave', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_survey_wave_closes_on'), ['closes_on'], unique=False)
        batch_op.create_index(batch_op.f('ix_survey_wave_created_by_id'), ['created_by_id'], unique=False)

    op.create_table('survey_invitation',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('wave_id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('group', sa.Enum('participant', 'comparison', name='survey_group', native_enum=False, create_constraint=True, length=20), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('answered', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], name=op.f('fk_survey_invitation_person_id_person')),
    sa.ForeignKeyConstraint(['wave_id'], ['survey_wave.id'], name=op.f('fk_survey_invitation_wave_id_survey_wave')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_survey_invitation')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_survey_invitation_token_hash')),
    sa.UniqueConstraint('wave_id', 'person_id', name=op.f('uq_survey_invitation_wave_id'))
    )
    with op.batch_alter_table('survey_invitation', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_survey_invitation_person_id'), ['person_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_survey_invitation_wave_id'), ['wave_id'], unique=False)

    op.create_table('survey_response',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('wave_id', sa.Integer(), nullable=False),
    sa.Column('pseudonym', sa.String(length=64), nullable=False),
    sa.Column('department_id', sa.Integer(), nullable=True),
    sa.Column('cohort_id', sa.Integer(), nullable=True),
    sa.Column('group', sa.Enum('participant', 'comparison', name='survey_group', native_enum=False, create_constraint=True, length=20), nullable=False),
    sa.Column('answers', sa.JSON(), nullable=False),
    sa.Column('comment', sa.Text(), nullable=False),
    sa.Column('submitted_on', sa.Date(), nullable=False),
    sa.ForeignKeyConstraint(['cohort_id'], ['cohort.id'], name=op.f('fk_survey_response_cohort_id_cohort')),
    sa.ForeignKeyConstraint(['department_id'], ['department.id'], name=op.f('fk_survey_response_department_id_department')),
    sa.ForeignKeyConstraint(['wave_id'], ['survey_wave.id'], name=op.f('fk_survey_response_wave_id_survey_wave')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_survey_response')),
    sa.UniqueConstraint('wave_id', 'pseudonym', name=op.f('uq_survey_response_wave_id'))
    )
    with op.batch_alter_table('survey_response', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_survey_response_cohort_id'), ['cohort_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_survey_response_department_id'), ['department_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_survey_response_pseudonym'), ['pseudonym'], unique=False)
        batch_op.create_index(batch_op.f('ix_survey_response_wave_id'), ['wave_id'], unique=False)

    op.create_table('wave_cohort',
    sa.Column('wave_id', sa.Integer(), nullable=False),
    sa.Column('cohort_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['cohort_id'], ['cohort.id'], name=op.f('fk_wave_cohort_cohort_id_cohort')),
    sa.ForeignKeyConstraint(['wave_id'], ['survey_wave.id'], name=op.f('fk_wave_cohort_wave_id_survey_wave')),
    sa.PrimaryKeyConstraint('wave_id', 'cohort_id', name=op.f('pk_wave_cohort'))
    )
    with op.batch_alter_table('wave_cohort', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_wave_cohort_cohort_id'), ['cohort_id'], unique=False)

    op.create_table('survey_score',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('response_id', sa.Integer(), nullable=False),
    sa.Column('wave_id', sa.Integer(), nullable=False),
    sa.Column('dimension', sa.String(length=64), nullable=False),
    sa.Column('score', sa.Float(), nullable=False),
    sa.Column('department_id', sa.Integer(), nullable=True),
    sa.Column('cohort_id', sa.Integer(), nullable=True),
    sa.Column('group', sa.Enum('participant', 'comparison', name='survey_group', native_enum=False, create_constraint=True, length=20), nullable=False),
    sa.ForeignKeyConstraint(['cohort_id'], ['cohort.id'], name=op.f('fk_survey_score_cohort_id_cohort')),
    sa.ForeignKeyConstraint(['department_id'], ['department.id'], name=op.f('fk_survey_score_department_id_department')),
    sa.ForeignKeyConstraint(['response_id'], ['survey_response.id'], name=op.f('fk_survey_score_response_id_survey_response')),
    sa.ForeignKeyConstraint(['wave_id'], ['survey_wave.id'], name=op.f('fk_survey_score_wave_id_survey_wave')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_survey_score'))
    )
    with op.batch_alter_table('survey_score', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_survey_score_cohort_id'), ['cohort_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_survey_score_department_id'), ['department_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_survey_score_response_id'), ['response_id'], unique=False)
        batch_op.create_index('ix_survey_score_wave_dimension_department', ['wave_id', 'dimension', 'department_id'], unique=False)



def downgrade():
    with op.batch_alter_table('survey_score', schema=None) as batch_op:
        batch_op.drop_index('ix_survey_score_wave_dimension_department')
        batch_op.drop_index(batch_op.f('ix_survey_score_response_id'))
        batch_op.drop_index(batch_op.f('ix_survey_score_department_id'))
        batch_op.drop_index(batch_op.f('ix_survey_score_cohort_id'))

    op.drop_table('survey_score')
    with op.batch_alter_table('wave_cohort', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_wave_cohort_cohort_id'))

    op.drop_table('wave_cohort')
    with op.batch_alter_table('survey_response', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_survey_response_wave_id'))
        batch_op.drop_index(batch_op.f('ix_survey_response_pseudonym'))
        batch_op.drop_index(batch_op.f('ix_survey_response_department_id'))
        batch_op.drop_index(batch_op.f('ix_survey_response_cohort_id'))

    op.drop_table('survey_response')
    with op.batch_alter_table('survey_invitation', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_survey_invitation_wave_id'))
        batch_op.drop_index(batch_op.f('ix_survey_invitation_person_id'))

    op.drop_table('survey_invitation')
    with op.batch_alter_table('survey_wave', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_survey_wave_created_by_id'))
        batch_op.drop_index(batch_op.f('ix_survey_wave_closes_on'))

    op.drop_table('survey_wave')
