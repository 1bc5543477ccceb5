"""search: one index of what people wrote, full text on both databases

``search_item`` holds one row per searchable thing (a venture, an experiment, a learning
card, a hot-seat challenge, a question, a commitment), copied from its own row: its
title and text, the author's language, the venture or set whose rules say who may see it.

Full text, per database:
- PostgreSQL: ``vector`` (tsvector), written by a trigger from title (weight A), body
  (weight B) in the item's language's stemming (english, german, french, spanish; simple
  for any other) plus the words as written (simple), under a GIN index;
- SQLite: an FTS5 table ``search_fts`` (tokenizer: porter over unicode61, diacritics
  removed; the porter stemmer is English's) whose rowid is the item's id, kept by triggers
  on ``search_item``; ``vector`` stays empty.

The index is filled here for every existing row, with the same statements as the app's
``intrapreneur.search.sources`` (frozen copy; a test holds the two equal). Downgrade drops
all of it: nothing else refers to the index.

Revision ID: 0036
Revises: 0035
Create Date: 2026-12-08 12:00:00.000000

"""
from alembic import op
import sqlalchemy as sa
from flask import current_app
from sqlalchemy.dialects.postgresql import TSVECTOR


# revision identifiers, used by Alembic.
revision = '0036'
down_revision = '0035'
branch_labels = None
depends_on = None

COLUMNS = (
    'kind, object_id, venture_id, set_id, session_id, author_id, title, body, language, '
    'evidence, decision, day'
)
LANGUAGE = 'COALESCE(p.chosen_locale, p.directory_locale, :lang)'
NO_ID = 'CAST(NULL AS INTEGER)'
NO_WORD = 'CAST(NULL AS VARCHAR(16))'


def _text(*parts):
    return ' || :nl || '.join(f"COALESCE({part}, '')" for part in parts)


def _fill_statements(day):
    experiment = (
        "SELECT '{kind}', e.id, e.venture_id, " + NO_ID + ', ' + NO_ID + ', e.owner_id, '  # nosec B608 (constant SQL written here; the values are bound)
        'e.title, {body}, ' + LANGUAGE + ', e.evidence, e.decision, {day} '
        'FROM experiment e JOIN person p ON p.id = e.owner_id'
    )
    return (
        f"SELECT 'venture', v.id, v.id, {NO_ID}, {NO_ID}, v.created_by_id, v.title, "  # nosec B608 (constant SQL written here; the values are bound)
        f"{_text('v.problem', 'v.customer')}, {LANGUAGE}, {NO_WORD}, {NO_WORD}, "
        f"{day('v.created_at')} FROM venture v LEFT JOIN person p ON p.id = v.created_by_id",
        experiment.format(
            kind='experiment',
            body=_text('e.hypothesis', 'e.test', 'e.metric', 'e.success_criterion'),
            day=day('e.created_at'),
        ),
        experiment.format(
            kind='learning',
            body=_text('e.observation', 'e.learning', 'e.evidence_data'),
            day=f"COALESCE({day('e.decided_at')}, {day('e.created_at')})",
        )
        + " WHERE e.decision IS NOT NULL OR COALESCE(e.observation, '') != '' "
        "OR COALESCE(e.learning, '') != ''",
        f"SELECT 'challenge', h.id, {NO_ID}, s.set_id, s.id, h.person_id, h.challenge_title, "  # nosec B608 (constant SQL written here; the values are bound)
        f"{_text('h.challenge_description')}, {LANGUAGE}, {NO_WORD}, {NO_WORD}, "
        f"{day('s.starts_at')} FROM hot_seat h JOIN learning_session s ON s.id = h.session_id "
        'JOIN person p ON p.id = h.person_id',
        f"SELECT 'question', q.id, {NO_ID}, s.set_id, s.id, q.asked_by_id, h.challenge_title, "  # nosec B608 (constant SQL written here; the values are bound)
        f"{_text('q.text')}, {LANGUAGE}, {NO_WORD}, {NO_WORD}, {day('q.created_at')} "
        'FROM question q JOIN hot_seat h ON h.id = q.hot_seat_id '
        'JOIN learning_session s ON s.id = h.session_id JOIN person p ON p.id = q.asked_by_id',
        f"SELECT 'commitment', a.id, {NO_ID}, s.set_id, s.id, a.owner_id, '', "  # nosec B608 (constant SQL written here; the values are bound)
        f"{_text('a.description', 'a.learning')}, {LANGUAGE}, {NO_WORD}, {NO_WORD}, "
        f"{day('a.created_at')} FROM action a JOIN learning_session s ON s.id = a.session_id "
        'JOIN person p ON p.id = a.owner_id',
    )


POSTGRESQL_TRIGGER = """
CREATE FUNCTION search_item_vector() RETURNS trigger AS $$
DECLARE
    config regconfig;
BEGIN
    config := CASE split_part(NEW.language, '_', 1)
        WHEN 'en' THEN 'english' WHEN 'de' THEN 'german'
        WHEN 'fr' THEN 'french' WHEN 'es' THEN 'spanish'
        ELSE 'simple' END;
    NEW.vector :=
        setweight(to_tsvector(config, COALESCE(NEW.title, '')), 'A')
        || setweight(to_tsvector(config, COALESCE(NEW.body, '')), 'B')
        || to_tsvector('simple', COALESCE(NEW.title, '') || ' ' || COALESCE(NEW.body, ''));
    RETURN NEW;
END
$$ LANGUAGE plpgsql;
CREATE TRIGGER search_item_vector BEFORE INSERT OR UPDATE OF title, body, language
    ON search_item FOR EACH ROW EXECUTE FUNCTION search_item_vector();
"""

SQLITE_FTS = (
    "CREATE VIRTUAL TABLE search_fts USING fts5("
    "title, body, tokenize = 'porter unicode61 remove_diacritics 2')",
    "CREATE TRIGGER search_item_fts_insert AFTER INSERT ON search_item BEGIN "
    "INSERT INTO search_fts (rowid, title, body) VALUES (new.id, new.title, new.body); END",
    "CREATE TRIGGER search_item_fts_delete AFTER DELETE ON search_item BEGIN "
    "DELETE FROM search_fts WHERE rowid = old.id; END",
    "CREATE TRIGGER search_item_fts_update AFTER UPDATE OF title, body ON search_item BEGIN "
    "UPDATE search_fts SET title = new.title, body = new.body WHERE rowid = old.id; END",
)


def upgrade():
    postgresql = op.get_bind().dialect.name == 'postgresql'
    op.create_table(
        'search_item',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=16), nullable=False),
        sa.Column('object_id', sa.Integer(), nullable=False),
        sa.Column('venture_id', sa.Integer(), nullable=True),
        sa.Column('set_id', sa.Integer(), nullable=True),
        sa.Column('session_id', sa.Integer(), nullable=True),
        sa.Column('author_id', sa.Integer(), nullable=True),
        sa.Column('title', sa.Text(), nullable=False),
        sa.Column('body', sa.Text(), nullable=False),
        sa.Column('language', sa.String(length=16), nullable=False),
        sa.Column('evidence', sa.String(length=8), nullable=True),
        sa.Column('decision', sa.String(length=16), nullable=True),
        sa.Column('day', sa.Date(), nullable=False),
        sa.Column('vector', TSVECTOR() if postgresql else sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_search_item')),
        sa.UniqueConstraint('kind', 'object_id', name=op.f('uq_search_item_kind')),
    )
    with op.batch_alter_table('search_item', schema=None) as batch_op:
        for column in ('author_id', 'day', 'set_id', 'venture_id'):
            batch_op.create_index(batch_op.f(f'ix_search_item_{column}'), [column], unique=False)
        batch_op.create_index(
            'ix_search_item_vector', ['vector'], unique=False, postgresql_using='gin'
        )
    if postgresql:
        op.execute(POSTGRESQL_TRIGGER)

        def day(column):
            return f"(({column}) AT TIME ZONE 'UTC')::date"
    else:
        for statement in SQLITE_FTS:
            op.execute(statement)

        def day(column):
            return f'date({column})'

    values = {'lang': str(current_app.config['DEFAULT_LOCALE']), 'nl': '\n'}
    for rows in _fill_statements(day):
        op.get_bind().execute(
            sa.text(f'INSERT INTO search_item ({COLUMNS}) {rows}'), values
        )


def downgrade():
    if op.get_bind().dialect.name == 'postgresql':
        op.execute('DROP TRIGGER search_item_vector ON search_item')
        op.execute('DROP FUNCTION search_item_vector()')
    else:
        for trigger in ('insert', 'delete', 'update'):
            op.execute(f'DROP TRIGGER search_item_fts_{trigger}')
        op.execute('DROP TABLE search_fts')
    with op.batch_alter_table('search_item', schema=None) as batch_op:
        batch_op.drop_index('ix_search_item_vector')
        for column in ('venture_id', 'set_id', 'day', 'author_id'):
            batch_op.drop_index(batch_op.f(f'ix_search_item_{column}'))
    op.drop_table('search_item')
