"""`intrapreneur backup` / `restore`: every row comes back exactly, or nothing is written.

Each test builds its own migrated databases (on the suite's server: SQLite, or
PostgreSQL with INTRAPRENEUR_TEST_DATABASE_URL), because backup and restore work
across whole databases and transactions, which the suite's per-test rollback hides.
The move from SQLite to PostgreSQL uses the tests' PostgreSQL server in either run.
"""

from __future__ import annotations

import gzip
import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from alembic.script import ScriptDirectory
from click.testing import CliRunner, Result
from flask import Flask
from flask.cli import ScriptInfo
from flask_migrate import upgrade
from sqlalchemy import delete, func, select
from sqlalchemy.exc import DBAPIError

import intrapreneur
from intrapreneur import create_app
from intrapreneur.cli import cli
from intrapreneur.cli.demo_data import seed_demo_organisation
from intrapreneur.core import services as audit
from intrapreneur.core.backup import (
    BackupError,
    decode_value,
    encode_value,
    line,
    read_header,
    restore_backup,
    write_backup,
)
from intrapreneur.core.mail_models import EmailPreference
from intrapreneur.core.models import (
    AuditEvent,
    AuditRetentionCutoff,
    BackgroundJob,
    ExportFile,
    JobStatus,
)
from intrapreneur.culture.models import PrivacyRules
from intrapreneur.experiments.models import Experiment, Notification, Review, ReviewTag, Venture
from intrapreneur.extensions import db
from intrapreneur.identity.expertise.models import (
    AvailabilityWindow,
    ExpertiseProfile,
    ExpertiseTag,
    ProfileTag,
)
from intrapreneur.identity.models import (
    ApiClient,
    ApiScope,
    Department,
    Invitation,
    LocalMfa,
    PasswordReset,
    Person,
    PersonKind,
    RecoveryCode,
)
from intrapreneur.identity.saml_models import SamlRequest, SamlUsedId
from intrapreneur.learning.hacks.models import HackProposedTime, HackRequest
from intrapreneur.learning.models import (
    AgendaTemplate,
    Cohort,
    LearningSession,
    SessionFeedback,
    SessionFormat,
    SetComposition,
)
from intrapreneur.privacy.models import PrivacySetting
from intrapreneur.search.models import SearchItem
from tests.conftest import PostgresDatabase, environment_for

Migrated = Callable[..., Any]

# The newest migration and the one before it, read from the migrations folder.
_SCRIPTS = ScriptDirectory(str(Path(intrapreneur.__file__).parent / "migrations"))
HEAD = _SCRIPTS.get_current_head()
PREVIOUS = _SCRIPTS.get_revision(HEAD).down_revision


@contextmanager
def _migrated(
    empty_database: Callable[[str], Any],
    directory: Path,
    label: str,
    revision: str = "head",
    url: str | None = None,
) -> Iterator[Flask]:
    """An app on a new database (or on ``url``) migrated to ``revision``."""
    with _database(empty_database, label, url) as database_url:
        application = create_app(environment_for(database_url, directory / label), TESTING=True)
        with application.app_context():
            upgrade(revision=revision)
        try:
            yield application
        finally:
            with application.app_context():
                db.engine.dispose()


@contextmanager
def _database(empty_database: Callable[[str], Any], label: str, url: str | None) -> Iterator[str]:
    if url is not None:
        yield url
        return
    with empty_database(label) as made:
        yield made


@pytest.fixture
def migrated(empty_database: Callable[[str], Any], tmp_path: Path) -> Migrated:
    """``with migrated("label") as app:`` an app on a new database with the whole schema."""
    return lambda *args, **kwargs: _migrated(empty_database, tmp_path, *args, **kwargs)


@dataclass
class Seeded:
    app: Flask
    backup: Path
    rows: dict[str, list[tuple[Any, ...]]]


@pytest.fixture(scope="module")
def seeded(
    empty_database: Callable[[str], Any], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Seeded]:
    """One rich database and its backup, shared by the tests that only read them."""
    directory = tmp_path_factory.mktemp("seeded")
    with _migrated(empty_database, directory, "seeded") as source:
        _seed(source)
        yield Seeded(source, _backup(source, directory / "all.backup.gz"), _rows(source))


def _seed(app: Flask) -> None:
    """The demo organisation, plus a row in every table it leaves empty, plus awkward values."""
    with app.app_context():
        seed_demo_organisation()
        db.session.commit()
        hr = db.session.scalars(select(Person).order_by(Person.id)).first()
        now = datetime.now(UTC).replace(microsecond=123456)
        # A manager created after their report: restore must not insert the report first.
        report = Person(kind=PersonKind.GUEST, email="zoë@example.org", display_name="Zoë “Z” Ng")
        db.session.add(report)
        db.session.commit()
        boss = Person(kind=PersonKind.GUEST, email="boss@example.org", display_name="Boss")
        db.session.add(boss)
        db.session.commit()
        report.manager_id = boss.id
        venture = db.session.scalars(select(Venture)).first()
        experiment = db.session.scalars(select(Experiment)).first()
        cohort = db.session.scalars(select(Cohort)).first()
        session = db.session.scalars(select(LearningSession)).first()
        db.session.add_all(
            [
                AgendaTemplate(
                    format=SessionFormat.MASTERMIND,
                    segments=[{"title": "Check-in", "minutes": 10, "$date": "not a tag"}],
                    updated_at=now,
                    updated_by_id=hr.id,
                ),
                ApiClient(
                    name="HR system",
                    scope=ApiScope.CULTURE_READ,
                    token_prefix="abc123",
                    token_hash="f" * 64,
                    created_by_id=hr.id,
                    last_used_at=now,
                    expires_at=now + timedelta(days=90),
                ),
                Invitation(
                    person_id=report.id,
                    invited_by_id=hr.id,
                    secret_hash="e" * 64,
                    expires_at=now + timedelta(days=3),
                ),
                PasswordReset(
                    person_id=report.id,
                    secret_hash="d" * 64,
                    expires_at=now + timedelta(hours=1),
                    used_at=now,
                ),
                LocalMfa(
                    person_id=report.id,
                    secret_encrypted="gAAAAA-not-a-real-key",
                    enabled_at=now,
                    last_used_step=59_000_000,
                ),
                RecoveryCode(person_id=report.id, code_hash="c" * 64, used_at=now),
                SamlRequest(
                    id="_a1b2c3",
                    browser_hash="b" * 64,
                    next_url="/ventures?ünïcode=✓",
                    expires_at=now + timedelta(minutes=10),
                ),
                SamlUsedId(id="assertion:_f9e8d7", expires_at=now + timedelta(minutes=5)),
                # Empty but for a retention run's own transaction; restored like any table.
                AuditRetentionCutoff(id=1, cutoff=now - timedelta(days=3 * 365)),
                Notification(person_id=hr.id, text="Ünïcode ✓ and\nnew line", link="/x"),
                EmailPreference(person_id=hr.id, session_reminders=False, updated_at=now),
                BackgroundJob(
                    task="directory-sync",
                    arguments={"dry_run": True},
                    status=JobStatus.FAILED,
                    attempts=3,
                    max_attempts=3,
                    error="LDAPError: the directory did not answer",
                    requested_by_id=hr.id,
                    scheduled_for=now,
                    finished_at=now,
                ),
                SessionFeedback(
                    session_id=session.id,
                    person_id=hr.id,
                    usefulness=5,
                    next_step="Ask “why” five times",
                    updated_at=now,
                ),
                PrivacyRules(
                    min_group=7, min_group_comments=12, updated_by_id=hr.id, updated_at=now
                ),
                PrivacySetting(name="sent_emails", value="14", updated_by_id=hr.id, updated_at=now),
                SetComposition(
                    cohort_id=cohort.id,
                    arrangement={"sets": [[1, 2], [3]]},
                    facilitators=[{"a": 1}],
                ),
                Review(
                    venture_id=venture.id,
                    experiment_id=experiment.id,
                    reviewer_id=hr.id,
                    tag=ReviewTag.CHALLENGE,
                    comment="Why now?",
                    budget_approved=None,
                    approved_cost=Decimal("1234567890.12"),
                    approved_days=Decimal("2.5"),
                ),
            ]
        )
        audit.record("backup.test", actor=hr, tricky={"$datetime": "nope"}, empty=[], none=None)
        db.session.commit()
        _seed_a_hack(hr, report, now)
        job = db.session.scalars(select(BackgroundJob).filter_by(task="directory-sync")).one()
        db.session.add(
            ExportFile(
                job_id=job.id,
                person_id=hr.id,
                file_name="figures.xlsx",
                content_type="application/octet-stream",
                content=bytes(range(256)) * 3,  # every byte value survives the trip
                size=768,
                expires_at=now,
            )
        )
        db.session.commit()


def _seed_a_hack(requester: Person, entrepreneur: Person, now: datetime) -> None:
    """The demo has no expertise or Hacks yet: one of each, with awkward text."""
    tag = ExpertiseTag(name="Pricing & “growth”")
    db.session.add(tag)
    db.session.flush()
    db.session.add_all(
        [
            ExpertiseProfile(person_id=entrepreneur.id, bio="**Bold** <b>not</b>", updated_at=now),
            ProfileTag(person_id=entrepreneur.id, tag_id=tag.id),
            AvailabilityWindow(
                person_id=entrepreneur.id, weekday=6, start_minute=0, end_minute=1440
            ),
            HackRequest(
                requester_id=requester.id,
                entrepreneur_id=entrepreneur.id,
                experiment_id=db.session.scalars(select(Experiment.id)).first(),
                expertise_tag_id=tag.id,
                topic="Zoë’s card",
                message="Line one\nline two",
                agenda=[{"title": "Hot seat", "minutes": 20}],
                proposed=[HackProposedTime(starts_at=now, ends_at=now)],
            ),
        ]
    )
    db.session.commit()


def _rows(app: Flask) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table, in key order, as Python values."""
    with app.app_context(), db.engine.connect() as connection:
        return {
            table.name: [
                tuple(row)
                for row in connection.execute(select(table).order_by(*table.primary_key.columns))
            ]
            for table in db.metadata.sorted_tables
        }


def _backup(app: Flask, path: Path, recipients: list[Any] | None = None) -> Path:
    """A backup of ``app``'s database, encrypted to ``recipients`` (None: unencrypted)."""
    with app.app_context():
        write_backup(db.engine, path, recipients=recipients)
    return path


def _restore(app: Flask, path: Path, *, force: bool = False) -> None:
    with app.app_context():
        restore_backup(db.engine, path, force=force)


def _total(app: Flask) -> int:
    return sum(len(rows) for rows in _rows(app).values())


def _without_search_vectors(rows: dict[str, list[Any]]) -> dict[str, list[Any]]:
    """The search index's full-text vector is the target database's own (SQLite keeps none:
    FTS5 has its own table), so it is compared apart."""
    last = len(SearchItem.__table__.columns) - 1
    assert list(SearchItem.__table__.columns)[last].name == "vector"
    return {**rows, "search_item": [row[:last] for row in rows["search_item"]]}


def _assert_round_trip(
    original: dict[str, list[Any]], path: Path, target: Flask, *, across: bool = False
) -> None:
    _restore(target, path)
    restored = _rows(target)
    assert restored.keys() == original.keys()
    if across:
        # A restore into PostgreSQL builds every item's vector there, as a write would.
        assert all(row[-1] for row in restored["search_item"])
        original, restored = _without_search_vectors(original), _without_search_vectors(restored)
    for table, rows in original.items():
        assert restored[table] == rows, table
    assert all(original.values()), "the seed fills every table"
    # New rows get fresh ids after the restored ones (PostgreSQL's sequences were moved on).
    with target.app_context():
        db.session.add(Department(name="Made after the restore"))
        db.session.commit()
        newest = db.session.scalar(select(func.max(Department.id)))
    assert newest == max(row[0] for row in original["department"]) + 1


def test_a_restore_gives_back_every_row_exactly(seeded: Seeded, migrated: Migrated) -> None:
    with migrated("target") as target:
        _assert_round_trip(seeded.rows, seeded.backup, target)


def test_a_sqlite_backup_restores_into_postgresql(
    migrated: Migrated, postgres_database: PostgresDatabase, tmp_path: Path
) -> None:
    sqlite_url = f"sqlite:///{tmp_path / 'small.db'}"
    with (
        postgres_database("restore") as postgres_url,
        migrated("sqlite", url=sqlite_url) as source,
        migrated("postgres", url=postgres_url) as target,
    ):
        assert target.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql")
        _seed(source)
        _assert_round_trip(
            _rows(source), _backup(source, tmp_path / "sqlite.gz"), target, across=True
        )


def test_the_file_names_its_version_and_revision(seeded: Seeded) -> None:
    header = read_header(seeded.backup)
    assert header["format"] == "intrapreneur-backup"
    assert header["schema_revision"] == HEAD
    assert header["app_version"]
    assert header["rows"] == {table: len(rows) for table, rows in seeded.rows.items()}
    assert seeded.backup.stat().st_mode & 0o077 == 0, "only the owner may read it"


def test_a_backup_of_another_schema_revision_is_refused(seeded: Seeded, migrated: Migrated) -> None:
    with migrated("older", revision=PREVIOUS) as older:
        with pytest.raises(BackupError, match=f"revision {HEAD} but the database is at {PREVIOUS}"):
            _restore(older, seeded.backup)
        with older.app_context():
            assert db.session.scalar(select(func.count()).select_from(Person)) == 0


def test_a_database_with_data_is_kept_unless_forced(seeded: Seeded, migrated: Migrated) -> None:
    with migrated("target") as target:
        with target.app_context():
            db.session.add(Department(name="Already here"))
            db.session.commit()
        before = _rows(target)
        with pytest.raises(BackupError, match=r"already holds data.*--force"):
            _restore(target, seeded.backup)
        assert _rows(target) == before
        _restore(target, seeded.backup, force=True)
        assert _rows(target) == seeded.rows
        # The audit log's guard, lifted to empty it, is back.
        with target.app_context(), pytest.raises(DBAPIError, match="append-only"):
            db.session.execute(delete(AuditEvent))


def _rewritten(path: Path, edit: Callable[[list[str]], list[str]]) -> Path:
    with gzip.open(path, "rt", encoding="utf-8") as stream:
        lines = stream.read().splitlines()
    changed = path.with_name("changed-" + path.name)
    with gzip.open(changed, "wt", encoding="utf-8") as stream:
        stream.write("\n".join(edit(lines)) + "\n")
    return changed


def _without_last_row(lines: list[str]) -> list[str]:
    # The last table's last row: every table before it has been inserted when this shows.
    return lines[:-2] + lines[-1:]


def _damaged_middle(path: Path) -> Path:
    data = bytearray(path.read_bytes())
    middle = len(data) // 2
    data[middle : middle + 64] = bytes(64)
    damaged = path.with_name("damaged-" + path.name)
    damaged.write_bytes(bytes(data))
    return damaged


def _cut_in_half(path: Path) -> Path:
    cut = path.with_name("cut-" + path.name)
    cut.write_bytes(path.read_bytes()[: path.stat().st_size // 2])
    return cut


@pytest.mark.parametrize(
    ("spoil", "problem"),
    [
        (_cut_in_half, "damaged or incomplete"),
        (_damaged_middle, "damaged or incomplete|not valid JSON|cannot read"),
        (lambda path: _rewritten(path, _without_last_row), "ends early or is damaged inside"),
        (lambda path: _rewritten(path, lambda lines: lines[:-1]), "no end marker"),
        (lambda path: _rewritten(path, lambda lines: lines[1:]), "not an Intrapreneur backup"),
    ],
    ids=["truncated", "corrupted", "row-missing", "end-missing", "header-missing"],
)
def test_a_damaged_file_is_refused_and_nothing_is_written(
    seeded: Seeded, migrated: Migrated, tmp_path: Path, spoil: Callable[[Path], Path], problem: str
) -> None:
    copy = tmp_path / seeded.backup.name
    copy.write_bytes(seeded.backup.read_bytes())
    spoiled = spoil(copy)
    with migrated("target") as target:
        with pytest.raises(BackupError, match=problem):
            _restore(target, spoiled)
        assert _total(target) == 0


def test_a_file_that_is_not_gzip_is_refused(migrated: Migrated, tmp_path: Path) -> None:
    plain = tmp_path / "notes.txt"
    plain.write_text(json.dumps({"format": "intrapreneur-backup"}))
    with migrated("target") as target, pytest.raises(BackupError, match="damaged or incomplete"):
        _restore(target, plain)


def test_a_backup_into_a_missing_folder_says_so(seeded: Seeded, tmp_path: Path) -> None:
    with pytest.raises(BackupError, match=r"cannot write in .*nowhere: No such file"):
        _backup(seeded.app, tmp_path / "nowhere" / "all.gz")


def test_a_failed_backup_leaves_no_file(migrated: Migrated, tmp_path: Path) -> None:
    with migrated("none", revision="base") as bare, pytest.raises(BackupError, match="no schema"):
        _backup(bare, tmp_path / "nothing.gz")
    assert list(tmp_path.glob("*nothing.gz*")) == []


def test_the_commands_back_up_and_restore(
    seeded: Seeded, migrated: Migrated, tmp_path: Path
) -> None:
    path = tmp_path / "cli.gz"
    with migrated("target") as target:

        def command(app: Flask, *args: str) -> Result:
            # The command runs on `app`, whose database connections the fixtures close.
            return CliRunner().invoke(cli, args, obj=ScriptInfo(create_app=lambda: app))

        made = command(seeded.app, "backup", "--plaintext", str(path))
        assert made.exit_code == 0, made.output
        assert "Backed up" in made.stdout and f"schema revision {HEAD}" in made.stdout
        done = command(target, "restore", str(path))
        assert done.exit_code == 0, done.output
        assert "Restored" in done.stdout
        original, restored = dict(seeded.rows), _rows(target)
        history = restored.pop("audit_event")
        assert history[:-1] == original.pop("audit_event")
        assert restored == original
        assert "data.restored" in history[-1]
        refused = command(target, "restore", str(path))
        assert refused.exit_code == 1
        assert "Stopped, nothing changed: the database already holds data" in refused.stderr
        forced = command(target, "restore", "--force", str(path))
        assert forced.exit_code == 0, forced.output


@pytest.mark.parametrize(
    "value",
    [
        datetime(2026, 3, 29, 1, 30, 15, 999, tzinfo=UTC),
        datetime(2026, 3, 29, 1, 30),
        date(2024, 2, 29),
        Decimal("-0.10"),
        b"\x00\xffbytes",
        'plain text with "quotes" and ünïcode',
        3.141592653589793,
        True,
        None,
    ],
)
def test_values_come_back_exactly(value: Any) -> None:
    written = line([encode_value(value, is_json=False)])
    (decoded,) = [decode_value(item) for item in json.loads(written)]
    assert decoded == value and type(decoded) is type(value)


def test_json_values_are_not_mistaken_for_tags() -> None:
    stored = {"$decimal": "1.5", "nested": [{"$date": "x"}]}
    assert decode_value(json.loads(line([encode_value(stored, is_json=True)]))[0]) == stored


def test_a_value_of_an_unknown_type_stops_the_backup() -> None:
    with pytest.raises(BackupError, match="cannot write values of type time"):
        line([encode_value(time(9, 30), is_json=False)])
