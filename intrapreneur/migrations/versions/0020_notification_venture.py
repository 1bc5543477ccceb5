"""notification.venture_id: a notification about a venture is listed only while its reader
may see that venture; existing rows are linked from their link (/ventures/N or
/experiments/N, the only two kinds reviews write)

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-07 10:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0020'
down_revision = '0019'
branch_labels = None
depends_on = None

# "/ventures/" and "/experiments/" are 10 and 13 characters long.
FROM_BOARD_LINK = """
UPDATE notification SET venture_id = (
    SELECT venture.id FROM venture
    WHERE venture.id = CAST(substr(notification.link, 11) AS INTEGER))
WHERE link LIKE '/ventures/%'
"""
FROM_CARD_LINK = """
UPDATE notification SET venture_id = (
    SELECT experiment.venture_id FROM experiment
    WHERE experiment.id = CAST(substr(notification.link, 14) AS INTEGER))
WHERE link LIKE '/experiments/%'
"""


def upgrade():
    with op.batch_alter_table('notification', schema=None) as batch_op:
        batch_op.add_column(sa.Column('venture_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_notification_venture_id'), ['venture_id'], unique=False)
        batch_op.create_foreign_key(
            batch_op.f('fk_notification_venture_id_venture'), 'venture', ['venture_id'], ['id'],
            ondelete='CASCADE',
        )
    op.execute(FROM_BOARD_LINK)
    op.execute(FROM_CARD_LINK)


def downgrade():
    with op.batch_alter_table('notification', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_notification_venture_id_venture'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_notification_venture_id'))
        batch_op.drop_column('venture_id')
