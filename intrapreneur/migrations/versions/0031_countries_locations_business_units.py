"""countries, locations and business units: people carry them, a department is known by
its name within its business unit (existing departments belong to none), survey responses
keep them as snapshots and published figures as coordinates

Revision ID: 0031
Revises: 0030
Create Date: 2026-12-07 19:30:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0031'
down_revision = '0030'
branch_labels = None
depends_on = None

WITHOUT_UNIT = sa.text('business_unit_id IS NULL')


def upgrade():
    op.create_table('business_unit',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_business_unit')),
    sa.UniqueConstraint('name', name=op.f('uq_business_unit_name'))
    )
    # Existing departments keep their ids and names and belong to no unit: the unique index
    # over the unit-less takes over what the unique name guaranteed.
    with op.batch_alter_table('department', schema=None) as batch_op:
        batch_op.add_column(sa.Column('business_unit_id', sa.Integer(), nullable=True))
        batch_op.drop_constraint(batch_op.f('uq_department_name'), type_='unique')
        batch_op.create_unique_constraint('uq_department_unit_name', ['business_unit_id', 'name'])
        batch_op.create_index('uq_department_name_without_unit', ['name'], unique=True, sqlite_where=WITHOUT_UNIT, postgresql_where=WITHOUT_UNIT)
        batch_op.create_index(batch_op.f('ix_department_business_unit_id'), ['business_unit_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_department_business_unit_id_business_unit'), 'business_unit', ['business_unit_id'], ['id'])

    with op.batch_alter_table('person', schema=None) as batch_op:
        batch_op.add_column(sa.Column('business_unit_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('country', sa.String(length=2), nullable=True))
        batch_op.add_column(sa.Column('location', sa.String(length=200), nullable=True))
        batch_op.create_index(batch_op.f('ix_person_business_unit_id'), ['business_unit_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_person_country'), ['country'], unique=False)
        batch_op.create_index(batch_op.f('ix_person_location'), ['location'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_person_business_unit_id_business_unit'), 'business_unit', ['business_unit_id'], ['id'])

    # Earlier responses keep no place: they count as "no business unit", "no country".
    with op.batch_alter_table('survey_response', schema=None) as batch_op:
        batch_op.add_column(sa.Column('business_unit_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('country', sa.String(length=2), nullable=True))
        batch_op.add_column(sa.Column('location', sa.String(length=210), nullable=True))
        batch_op.create_index(batch_op.f('ix_survey_response_business_unit_id'), ['business_unit_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_survey_response_business_unit_id_business_unit'), 'business_unit', ['business_unit_id'], ['id'])

    with op.batch_alter_table('published_figure', schema=None) as batch_op:
        batch_op.add_column(sa.Column('business_unit', sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column('country', sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column('location', sa.String(length=210), nullable=True))


def downgrade():
    _name_departments_apart()
    # Figures by place go with their columns: without them they would read as other groups.
    op.execute(
        'DELETE FROM published_figure WHERE business_unit IS NOT NULL '
        'OR country IS NOT NULL OR location IS NOT NULL'
    )
    with op.batch_alter_table('published_figure', schema=None) as batch_op:
        batch_op.drop_column('location')
        batch_op.drop_column('country')
        batch_op.drop_column('business_unit')

    with op.batch_alter_table('survey_response', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_survey_response_business_unit_id_business_unit'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_survey_response_business_unit_id'))
        batch_op.drop_column('location')
        batch_op.drop_column('country')
        batch_op.drop_column('business_unit_id')

    with op.batch_alter_table('person', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_person_business_unit_id_business_unit'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_person_location'))
        batch_op.drop_index(batch_op.f('ix_person_country'))
        batch_op.drop_index(batch_op.f('ix_person_business_unit_id'))
        batch_op.drop_column('location')
        batch_op.drop_column('country')
        batch_op.drop_column('business_unit_id')

    with op.batch_alter_table('department', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_department_business_unit_id_business_unit'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_department_business_unit_id'))
        batch_op.drop_index('uq_department_name_without_unit', sqlite_where=WITHOUT_UNIT, postgresql_where=WITHOUT_UNIT)
        batch_op.drop_constraint('uq_department_unit_name', type_='unique')
        batch_op.drop_column('business_unit_id')
        batch_op.create_unique_constraint(batch_op.f('uq_department_name'), ['name'])

    op.drop_table('business_unit')


def _name_departments_apart():
    """Without units, names must be unique again: a department whose name another one shares
    takes its unit's name into its own ("Finance (Retail)"), so nobody's department, survey
    snapshot or figure is merged with another's; a clash left after that gets its id."""
    connection = op.get_bind()
    rows = connection.execute(sa.text(
        'SELECT department.id, department.name, business_unit.name FROM department '
        'LEFT JOIN business_unit ON business_unit.id = department.business_unit_id '
        'ORDER BY department.business_unit_id IS NOT NULL, department.id'
    )).all()
    shared = {name for name in {row[1] for row in rows} if sum(row[1] == name for row in rows) > 1}
    taken = {name for _, name, unit in rows if unit is None or name not in shared}
    for department_id, name, unit in rows:
        if unit is None or name not in shared:
            continue
        new_name = f'{name} ({unit})'[:200]
        if new_name in taken:
            new_name = f'{name} ({unit}, {department_id})'[:200]
        taken.add(new_name)
        connection.execute(
            sa.text('UPDATE department SET name = :name WHERE id = :id'),
            {'name': new_name, 'id': department_id},
        )
