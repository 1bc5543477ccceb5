"""The migrations, run on an empty database, build exactly what the models describe."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect, text

from intrapreneur import create_app
from intrapreneur.experiments.models import Experiment
from intrapreneur.extensions import db
from intrapreneur.identity.models import Person, PersonKind
from intrapreneur.search.models import in_models
from tests.conftest import environment_for
from tests.experiments.builders import venture_for


def test_migrations_match_the_models_and_downgrade_cleanly(
    empty_database: Callable[[str], Any], tmp_path: Path
) -> None:
    with empty_database("migrations") as url:
        app = create_app(environment_for(url, tmp_path), TESTING=True)
        with app.app_context():
            upgrade()
            with db.engine.connect() as connection:
                context = MigrationContext.configure(
                    connection, opts={"compare_type": True, "include_name": in_models}
                )
                differences = compare_metadata(context, db.metadata)
            assert differences == []

            downgrade(revision="base")
            assert set(inspect(db.engine).get_table_names()) <= {"alembic_version"}
            db.engine.dispose()


def _person_as_of_0019(username: str, name: str) -> Person:
    """A person row written with 0019's columns (today's model has more), and a Person
    standing for it that is never added to the session: services read only its id and name."""
    person_id = db.session.execute(
        text(
            "INSERT INTO person (kind, username, display_name, active, created_at) "
            "VALUES ('employee', :username, :name, :yes, CURRENT_TIMESTAMP) RETURNING id"
        ),
        {"username": username, "name": name, "yes": True},
    ).scalar_one()
    return Person(id=person_id, kind=PersonKind.EMPLOYEE, username=username, display_name=name)


def test_0020_links_existing_notifications_to_the_venture_they_tell_about(
    empty_database: Callable[[str], Any], tmp_path: Path
) -> None:
    """Notifications written before 0020 carry only a link; the migration reads the venture
    from it, so the visibility rule covers old notifications too."""
    with empty_database("notification_venture") as url:
        app = create_app(environment_for(url, tmp_path), TESTING=True)
        with app.app_context():
            upgrade(revision="0019")
            owner = _person_as_of_0019("ann", "Ann")
            venture = venture_for(owner, "Old venture")
            card = Experiment(venture_id=venture.id, owner_id=owner.id, title="Old card")
            db.session.add(card)
            db.session.flush()
            links = [f"/ventures/{venture.id}", f"/experiments/{card.id}", "/reviews", ""]
            for link in [*links, "/ventures/999999"]:
                db.session.execute(
                    text(
                        "INSERT INTO notification (person_id, text, link, created_at) "
                        "VALUES (:person, 'x', :link, CURRENT_TIMESTAMP)"
                    ),
                    {"person": owner.id, "link": link},
                )
            db.session.commit()

            upgrade(revision="0020")

            linked = db.session.execute(
                text("SELECT link, venture_id FROM notification ORDER BY id")
            ).all()
            assert [tuple(row) for row in linked] == [
                (links[0], venture.id),
                (links[1], venture.id),
                ("/reviews", None),
                ("", None),
                ("/ventures/999999", None),  # a venture that is gone links to nothing
            ]
            db.session.remove()
            db.engine.dispose()


def test_0022_gives_existing_sets_their_first_version(
    empty_database: Callable[[str], Any], tmp_path: Path
) -> None:
    """Sets made before 0022 start at version 1, open, so the first change of each is made
    on the copy its editor saw."""
    with empty_database("set_versions") as url:
        app = create_app(environment_for(url, tmp_path), TESTING=True)
        with app.app_context():
            upgrade(revision="0020")
            for statement in (
                "INSERT INTO programme (id, name, description, created_at) "
                "VALUES (1, 'Ignite', '', CURRENT_TIMESTAMP)",
                "INSERT INTO cohort (id, programme_id, name, starts_on, ends_on, capacity, "
                "enrolment_open, created_at) VALUES (1, 1, 'Spring', '2026-01-01', "
                "'2026-06-30', 10, false, CURRENT_TIMESTAMP)",
                "INSERT INTO learning_set (id, cohort_id, name, default_format, cadence_days, "
                "created_at) VALUES (1, 1, 'Aurora', 'mastermind', 14, CURRENT_TIMESTAMP)",
            ):
                db.session.execute(text(statement))
            db.session.commit()

            upgrade(revision="0022")

            row = db.session.execute(text("SELECT version, closed_at FROM learning_set")).one()
            assert tuple(row) == (1, None)
            db.session.remove()
            db.engine.dispose()


def test_0023_keeps_only_the_time_zones_people_chose(
    empty_database: Callable[[str], Any], tmp_path: Path
) -> None:
    """Before 0023 everyone had the column's default, which nobody could change: it becomes
    no choice (the organisation's default then applies, as before). Going back, each
    person keeps the zone they are shown."""
    with empty_database("time_zones") as url:
        app = create_app(environment_for(url, tmp_path), TESTING=True)
        with app.app_context():
            upgrade(revision="0020")
            for username, zone in (("ann", "Europe/London"), ("bea", "Asia/Tokyo")):
                db.session.execute(
                    text(
                        "INSERT INTO person (kind, username, display_name, active, time_zone, "
                        "created_at) VALUES ('employee', :username, :username, :yes, :zone, "
                        "CURRENT_TIMESTAMP)"
                    ),
                    {"username": username, "zone": zone, "yes": True},
                )
            db.session.commit()

            upgrade(revision="0023")
            zones = "SELECT username, chosen_time_zone, directory_time_zone FROM person"
            assert sorted(tuple(row) for row in db.session.execute(text(zones))) == [
                ("ann", None, None),
                ("bea", "Asia/Tokyo", None),
            ]
            db.session.execute(
                text(
                    "UPDATE person SET directory_time_zone = 'America/Chicago' "
                    "WHERE username = 'ann'"
                )
            )
            db.session.commit()

            downgrade(revision="0020")
            back = db.session.execute(text("SELECT username, time_zone FROM person"))
            assert sorted(tuple(row) for row in back) == [
                ("ann", "America/Chicago"),
                ("bea", "Asia/Tokyo"),
            ]
            db.session.remove()
            db.engine.dispose()


def test_0021_gives_existing_cohorts_the_organisation_zone_and_downgrades_new_states(
    empty_database: Callable[[str], Any], tmp_path: Path
) -> None:
    """Cohorts made before 0021 are read in Europe/London, the zone the app used for
    everyone, at version 1; going back turns a waiting person into a request and one who
    left into a declined one, the old states closest in meaning."""
    with empty_database("cohort_zone") as url:
        app = create_app(environment_for(url, tmp_path), TESTING=True)
        with app.app_context():
            upgrade(revision="0020")
            statements = [
                "INSERT INTO programme (id, name, description, created_at) "
                "VALUES (1, 'Ignite', '', CURRENT_TIMESTAMP)",
                "INSERT INTO cohort (id, programme_id, name, starts_on, ends_on, capacity, "
                "enrolment_open, created_at) VALUES (1, 1, 'Spring', '2027-04-01', "
                "'2027-06-30', 10, true, CURRENT_TIMESTAMP)",
                "INSERT INTO person (id, kind, display_name, active, session_version, "
                "created_at) VALUES (1, 'employee', 'Ann', true, 0, CURRENT_TIMESTAMP)",
            ]
            for statement in statements:
                db.session.execute(text(statement))
            db.session.commit()

            upgrade(revision="0021")
            row = db.session.execute(text("SELECT time_zone, version, closed_at FROM cohort"))
            assert tuple(row.one()) == ("Europe/London", 1, None)
            db.session.execute(
                text(
                    "INSERT INTO enrolment (cohort_id, person_id, status, created_at) "
                    "VALUES (1, 1, 'waiting', CURRENT_TIMESTAMP)"
                )
            )
            db.session.commit()

            downgrade(revision="0020")
            assert db.session.scalar(text("SELECT status FROM enrolment")) == "requested"
            db.session.remove()
            db.engine.dispose()


def test_0032_records_earlier_survey_responses_as_answered_in_english(
    empty_database: Callable[[str], Any], tmp_path: Path
) -> None:
    """Before 0032 every questionnaire was in English: the responses kept say so; going back
    drops the language and keeps the responses."""
    with empty_database("response_language") as url:
        app = create_app(environment_for(url, tmp_path), TESTING=True)
        with app.app_context():
            upgrade(revision="0030")
            statements = [
                "INSERT INTO survey_wave (id, title, instrument_key, opens_on, closes_on, "
                "reminders_sent, created_at) VALUES (1, 'Pulse', 'intrapreneur-culture@1.0', "
                "'2026-01-01', '2026-01-31', 0, CURRENT_TIMESTAMP)",
                'INSERT INTO survey_response (wave_id, pseudonym, "group", answers, comment, '
                "submitted_on) VALUES (1, 'p1', 'participant', '{\"exp1\": 4}', '', "
                "'2026-01-10')",
            ]
            for statement in statements:
                db.session.execute(text(statement))
            db.session.commit()

            upgrade(revision="0032")
            assert db.session.scalar(text("SELECT language FROM survey_response")) == "en"
            db.session.execute(
                text(
                    'INSERT INTO survey_response (wave_id, pseudonym, "group", answers, '
                    "comment, submitted_on, language) VALUES (1, 'p2', 'participant', "
                    "'{\"exp1\": 2}', '', '2026-01-11', 'de')"
                )
            )
            db.session.commit()

            downgrade(revision="0030")
            kept = db.session.scalars(text("SELECT pseudonym FROM survey_response"))
            assert sorted(kept) == ["p1", "p2"]
            db.session.remove()
            db.engine.dispose()


def test_0033_marks_earlier_job_outcomes_as_written_in_english(
    empty_database: Callable[[str], Any], tmp_path: Path
) -> None:
    """Jobs that ran before 0033 wrote their outcome in English; a job still waiting has
    written nothing yet, and going back keeps the jobs."""
    with empty_database("job_language") as url:
        app = create_app(environment_for(url, tmp_path), TESTING=True)
        with app.app_context():
            upgrade(revision="0032")
            for number, message in ((1, "9 emails sent."), (2, None)):
                db.session.execute(
                    text(
                        "INSERT INTO background_job (id, task, arguments, status, attempts, "
                        "max_attempts, progress_done, message, created_at) VALUES (:id, "
                        "'mail-delivery', '{}', 'succeeded', 1, 1, 0, :message, CURRENT_TIMESTAMP)"
                    ),
                    {"id": number, "message": message},
                )
            db.session.commit()

            upgrade(revision="0033")
            languages = db.session.execute(text("SELECT id, language FROM background_job"))
            assert sorted(languages) == [(1, "en"), (2, None)]
            db.session.commit()  # end the read: SQLite's downgrade needs the only lock

            downgrade(revision="0032")
            assert db.session.scalar(text("SELECT count(*) FROM background_job")) == 2
            db.session.remove()
            db.engine.dispose()
