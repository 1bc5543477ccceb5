"""people's own time zones: a person's choice is kept apart from the directory's, so a sync
never overwrites it

Revision ID: 0023
Revises: 0020
Create Date: 2026-12-08 10:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0023'
down_revision = '0020'
branch_labels = None
depends_on = None

# Every person had the column's default, which nobody could change: none of them chose it.
UNCHOSEN = 'Europe/London'


def upgrade():
    with op.batch_alter_table('person', schema=None) as batch_op:
        batch_op.alter_column(
            'time_zone', new_column_name='chosen_time_zone',
            existing_type=sa.String(length=64), nullable=True,
        )
        batch_op.add_column(sa.Column('directory_time_zone', sa.String(length=64), nullable=True))
    op.execute(f"UPDATE person SET chosen_time_zone = NULL WHERE chosen_time_zone = '{UNCHOSEN}'")


def downgrade():
    # The zone each person is shown today, as the one column there was before.
    op.execute(
        "UPDATE person SET chosen_time_zone = "
        f"COALESCE(chosen_time_zone, directory_time_zone, '{UNCHOSEN}')"
    )
    with op.batch_alter_table('person', schema=None) as batch_op:
        batch_op.drop_column('directory_time_zone')
        batch_op.alter_column(
            'chosen_time_zone', new_column_name='time_zone',
            existing_type=sa.String(length=64), nullable=False,
        )
