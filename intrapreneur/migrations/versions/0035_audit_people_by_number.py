"""audit log: people by number, named when read; what was typed (a login, an address, a
filter) as a keyed hash; old events deleted only through the retention cutoff

Existing events are rewritten so that no name, email address or username stays in the log:
- ``actor_label`` of every event a person did becomes "person" (who it was is ``actor_id``;
  the app names them when the log is read);
- a refused sign-in's typed ``login`` and a reset request's ``email``: dropped where they
  name a known person, who becomes the event's object; otherwise kept as ``login_hash``, the
  keyed hash the app now writes (HMAC-SHA256 under a key derived from the secret key, of the
  text trimmed and in lower case; ``core.services.typed_text_hash``, held equal by a test);
- a directory update lists the fields it changed (``changed``), as the app now writes, and
  drops the values of those naming a person (name, address, username, title, DNs);
- the typed person filter of an audit log export becomes ``person_filter_hash``.

The append-only guard is lifted for this only inside the migration's transaction (a failure
rolls it back with the rows) and put back before it ends. The migration records nothing in
the audit log: it runs without a request or a person, and the log is what it changes. Keep
the deployment's own record of the upgrade.

The DELETE guard is replaced: an event may now be deleted only if it is older than the
cutoff written in ``audit_retention_cutoff`` and that cutoff is at least a year old (less a
day, for clocks); the retention job writes it, deletes and removes it in one transaction
(``core.audit_retention``). UPDATE stays refused.

Downgrade puts back 0034's guard (every DELETE refused) and drops the cutoff table; the
names, addresses and typed logins removed here cannot come back.

Revision ID: 0035
Revises: 0034
Create Date: 2026-12-08 10:00:00.000000

"""
import hashlib
import hmac
from contextlib import contextmanager

from alembic import op
import sqlalchemy as sa
from flask import current_app


# revision identifiers, used by Alembic.
revision = '0035'
down_revision = '0034'
branch_labels = None
depends_on = None

PERSON_ACTOR = 'person'
# Directory fields whose values name a person (a DN holds a name or username; a manager's
# DN names the manager): a directory update keeps only that they changed.
NAMING_FIELDS = ('username', 'email', 'display_name', 'title', 'directory_dn', 'manager_dn')
BATCH = 1000

_EVENTS = sa.table(
    'audit_event',
    sa.column('id', sa.Integer),
    sa.column('action', sa.String),
    sa.column('object_type', sa.String),
    sa.column('object_id', sa.String),
    sa.column('details', sa.JSON),
)

_APPEND_ONLY = "audit log is append-only"
_RETENTION_ONLY = (
    "audit log is append-only: only events older than the retention cutoff, "
    "itself at least a year old, may be deleted"
)
_SQLITE_UPDATE_GUARD = (
    "CREATE TRIGGER audit_event_no_update BEFORE UPDATE ON audit_event "
    f"BEGIN SELECT RAISE(ABORT, '{_APPEND_ONLY}'); END"
)


def upgrade():
    op.create_table('audit_retention_cutoff',
    sa.Column('id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('cutoff', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('id = 1', name=op.f('ck_audit_retention_cutoff_one_row')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_retention_cutoff'))
    )
    with _update_guard_lifted():
        op.get_bind().execute(
            sa.text("UPDATE audit_event SET actor_label = :label WHERE actor_id IS NOT NULL"),
            {"label": PERSON_ACTOR},
        )
        _rewrite_details()
    _drop_delete_guard()
    if _dialect() == 'postgresql':
        op.execute(
            "CREATE FUNCTION audit_event_delete_guard() RETURNS trigger LANGUAGE plpgsql AS $$ "
            "BEGIN "
            "IF EXISTS (SELECT 1 FROM audit_retention_cutoff AS declared "
            "WHERE OLD.occurred_at < declared.cutoff AND declared.cutoff <= "
            "statement_timestamp() - interval '1 year' + interval '1 day') THEN RETURN OLD; "
            "END IF; "
            f"RAISE EXCEPTION '{_RETENTION_ONLY}'; "  # nosec B608 (a constant message: DDL takes no parameters)
            "END $$"
        )
        op.execute(
            "CREATE TRIGGER audit_event_no_delete BEFORE DELETE ON audit_event "
            "FOR EACH ROW EXECUTE FUNCTION audit_event_delete_guard()"
        )
    else:
        # julianday() reads both the app's and SQL's ways of writing a time.
        op.execute(
            "CREATE TRIGGER audit_event_no_delete BEFORE DELETE ON audit_event "
            "WHEN NOT EXISTS (SELECT 1 FROM audit_retention_cutoff AS declared "
            "WHERE julianday(OLD.occurred_at) < julianday(declared.cutoff) "
            "AND julianday(declared.cutoff) <= julianday('now', '-1 year', '+1 day')) "
            f"BEGIN SELECT RAISE(ABORT, '{_RETENTION_ONLY}'); END"  # nosec B608 (a constant message: DDL takes no parameters)
        )


def downgrade():
    _drop_delete_guard()
    if _dialect() == 'postgresql':
        op.execute("DROP FUNCTION IF EXISTS audit_event_delete_guard()")
        op.execute(
            "CREATE TRIGGER audit_event_no_delete BEFORE DELETE ON audit_event "
            "FOR EACH ROW EXECUTE FUNCTION audit_event_is_append_only()"
        )
    else:
        op.execute(
            "CREATE TRIGGER audit_event_no_delete BEFORE DELETE ON audit_event "
            f"BEGIN SELECT RAISE(ABORT, '{_APPEND_ONLY}'); END"
        )
    op.drop_table('audit_retention_cutoff')


def _dialect():
    return op.get_bind().dialect.name


@contextmanager
def _update_guard_lifted():
    if _dialect() == 'postgresql':
        op.execute("ALTER TABLE audit_event DISABLE TRIGGER audit_event_no_update")
        yield
        op.execute("ALTER TABLE audit_event ENABLE TRIGGER audit_event_no_update")
    else:
        op.execute("DROP TRIGGER audit_event_no_update")
        yield
        op.execute(_SQLITE_UPDATE_GUARD)


def _drop_delete_guard():
    if _dialect() == 'postgresql':
        op.execute("DROP TRIGGER audit_event_no_delete ON audit_event")
    else:
        op.execute("DROP TRIGGER audit_event_no_delete")


# -- details -------------------------------------------------------------------------------

_REWRITTEN = (
    'auth.sign_in_refused',
    'auth.password_reset_requested',
    'person.updated',
    'audit_log.exported',
)


def _rewrite_details():
    bind = op.get_bind()
    people = _people_by_login(bind)
    key = _hash_key()
    statement = (
        sa.update(_EVENTS)
        .where(_EVENTS.c.id == sa.bindparam('_id'))
        .values(
            object_type=sa.bindparam('_type'),
            object_id=sa.bindparam('_object'),
            details=sa.bindparam('_details', type_=sa.JSON),
        )
    )
    last = 0
    while True:
        rows = bind.execute(
            sa.select(_EVENTS)
            .where(_EVENTS.c.action.in_(_REWRITTEN), _EVENTS.c.id > last)
            .order_by(_EVENTS.c.id)
            .limit(BATCH)
        ).all()
        if not rows:
            return
        changed = [
            change for change in (_rewritten(row, people, key) for row in rows) if change
        ]
        if changed:
            bind.execute(statement, changed)
        last = rows[-1].id


def _rewritten(row, people, key):
    details = dict(row.details or {})
    object_type, object_id = row.object_type, row.object_id
    if row.action == 'person.updated':
        if 'changed' in details:
            return None
        details['changed'] = sorted(name for name in details if name != 'source')
        for name in NAMING_FIELDS:
            details.pop(name, None)
    elif row.action == 'audit_log.exported':
        if 'person' not in details:
            return None
        details['person_filter_hash'] = _hash(key, details.pop('person'))
    else:
        field = 'login' if row.action == 'auth.sign_in_refused' else 'email'
        if field not in details:
            return None
        typed = details.pop(field) or ''
        person_id = people.get(typed.strip().lower())
        if object_type is None and person_id is not None:
            object_type, object_id = 'person', str(person_id)
        elif object_type is None and typed.strip():
            details['login_hash'] = _hash(key, typed)
    return {
        '_id': row.id,
        '_type': object_type,
        '_object': object_id,
        '_details': details,
    }


def _people_by_login(bind):
    """Username (lower case already) and lower-case email address → person id."""
    found = {}
    for person_id, username, email in bind.execute(
        sa.text("SELECT id, username, email FROM person")
    ):
        if email:
            found.setdefault(email.lower(), person_id)
        if username:
            found[username.lower()] = person_id
    return found


def _hash_key():
    secret = current_app.config['SECRET_KEY']
    return hashlib.sha256(f"audit-typed-text:{secret}".encode()).digest()


def _hash(key, text):
    return hmac.new(key, str(text).strip().lower().encode(), hashlib.sha256).hexdigest()
