"""The demo organisation is believable, idempotent, and the command sets it up from nothing."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from contextlib import suppress
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select

import intrapreneur.models as all_models
from intrapreneur.cli.demo_data import seed_demo_organisation
from intrapreneur.culture.anonymity import Rules
from intrapreneur.culture.dashboard import wave_figures
from intrapreneur.culture.figures import department_names
from intrapreneur.culture.models import SurveyInvitation, SurveyWave
from intrapreneur.experiments import services
from intrapreneur.experiments.models import Column, Decision, Experiment
from intrapreneur.extensions import db
from intrapreneur.identity.models import Person, PersonKind, Role
from intrapreneur.identity.passwords import verify_password
from intrapreneur.learning import composition
from intrapreneur.learning.composition import FacilitatorChoice
from intrapreneur.learning.models import Cohort, LearningSet, SetMembership
from intrapreneur.models import __all__ as model_names
from tests.deploy.test_serve import Server, _free_port, _wait_until_up


def _counts() -> dict[str, int]:
    return {
        name: db.session.scalar(select(func.count()).select_from(getattr(all_models, name)))
        for name in model_names
        if name != "AuditEvent"
    }


def test_seeding_twice_creates_nothing_new(app: object) -> None:
    seed_demo_organisation()
    db.session.flush()
    first = _counts()
    second_summary = seed_demo_organisation()
    db.session.flush()
    assert _counts() == first
    assert second_summary.created == {}
    assert first["Person"] >= 10 and first["LearningSet"] == 2


def test_the_demo_spans_countries_and_units_with_a_same_named_department_in_two(
    app: object,
) -> None:
    seed_demo_organisation()
    db.session.flush()
    employees = list(db.session.scalars(select(Person).where(Person.kind == PersonKind.EMPLOYEE)))
    assert len({person.country for person in employees} - {None}) >= 3
    assert len({person.business_unit_id for person in employees} - {None}) >= 2
    finance = {p.department for p in employees if p.department.name == "Finance"}
    assert {department.label for department in finance} == {
        "Finance (Retail)",
        "Finance (Wholesale)",
    }
    assert all(p.department.business_unit is p.business_unit for p in employees)


def test_demo_sets_mix_employees_and_guests_without_a_manager_and_report_together(
    app: object,
) -> None:
    summary = seed_demo_organisation()
    db.session.flush()
    for learning_set in db.session.scalars(select(LearningSet)):
        members = list(
            db.session.scalars(
                select(Person).join(SetMembership).where(SetMembership.set_id == learning_set.id)
            )
        )
        people = [*members, learning_set.facilitator]
        kinds = {person.kind for person in people}
        assert kinds == {PersonKind.EMPLOYEE, PersonKind.GUEST}, learning_set.name
        ids = {person.id for person in people}
        assert not any(person.manager_id in ids for person in people), learning_set.name
        assert 4 <= len(members) <= 8
    for email, passphrase in summary.guest_passwords.items():
        guest = db.session.scalars(select(Person).where(Person.email == email)).one()
        assert verify_password(guest.password_hash, passphrase)
    roles = {role for person in db.session.scalars(select(Person)) for role in person.role_names}
    assert roles == set(Role)


DEMO = [sys.executable, "-c", "from intrapreneur.cli import cli; cli()", "demo"]


def _demo_environment(instance: Path, **extra: str) -> dict[str, str]:
    """The developer's environment without their INTRAPRENEUR_* settings, as on a fresh machine."""
    environment = {k: v for k, v in os.environ.items() if not k.startswith("INTRAPRENEUR_")}
    return {**environment, "INTRAPRENEUR_INSTANCE_PATH": str(instance), **extra}


def _demo(instance: Path, **extra: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*DEMO, "--no-serve"],
        env=_demo_environment(instance, **extra),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.mark.usefixtures("slapd_installed")
def test_demo_command_builds_the_database_from_its_own_directory_and_is_repeatable(
    tmp_path: Path,
) -> None:
    first = _demo(tmp_path)
    assert first.returncode == 0, first.stderr
    assert "Changed: 14 created, 0 updated, 0 reactivated, 0 deactivated" in first.stdout
    assert "Demo organisation ready (2 person, 1 programme" in first.stdout
    assert "hokafor     Helen Okafor (employee, hr, manager)" in first.stdout
    assert "nina@petrova-ventures.example" in first.stdout
    assert (tmp_path / "intrapreneur.db").exists()

    second = _demo(tmp_path)
    assert second.returncode == 0, second.stderr
    # Stable directory ids: the same people are recognised, nothing is created twice.
    assert "Changed: 0 created, 0 updated, 0 reactivated, 0 deactivated" in second.stdout
    assert "Demo organisation ready (nothing new created)" in second.stdout


def _living_in_group(group: int) -> dict[int, str]:
    """The processes of process group ``group`` that still run, by id, with their names."""
    found = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            line = stat.read_text()
        except OSError:  # ended meanwhile
            continue
        # "pid (name) state ppid pgrp ...": the name may hold spaces and parentheses.
        name = line[line.index("(") + 1 : line.rindex(")")]
        state, _, pgrp = line[line.rindex(")") + 1 :].split()[:3]
        if int(pgrp) == group and state != "Z":  # a zombie has ended; only its parent is late
            found[int(stat.parent.name)] = name
    return found


def _ctrl_c(demo: subprocess.Popen[bytes]) -> None:
    """What Ctrl+C in a terminal does: SIGINT to every process of the foreground group."""
    os.killpg(demo.pid, signal.SIGINT)


def _sigterm(demo: subprocess.Popen[bytes]) -> None:
    """What `kill`, or make stopping its recipe, does: SIGTERM to the demo process alone."""
    demo.send_signal(signal.SIGTERM)


@pytest.mark.usefixtures("slapd_installed")
def test_the_demo_stopped_by_ctrl_c_or_sigterm_leaves_nothing_running_and_starts_again(
    tmp_path: Path,
) -> None:
    """Stopped once each way, the second time on the database the first run left."""
    for stop in (_ctrl_c, _sigterm):
        port = _free_port()
        out, err = tmp_path / f"{stop.__name__}.out", tmp_path / f"{stop.__name__}.err"
        with out.open("wb") as stdout, err.open("wb") as stderr:
            # A process group of its own, as a terminal gives the command it runs.
            process = subprocess.Popen(
                [*DEMO, "--port", str(port)],
                env=_demo_environment(tmp_path / "instance"),
                stdout=stdout,
                stderr=stderr,
                start_new_session=True,
            )
        demo = Server(process, port, out, err)
        try:
            _wait_until_up(demo)
            assert "slapd" in _living_in_group(process.pid).values()
            stop(process)
            assert process.wait(timeout=60) == 0, demo.logs()
            assert _living_in_group(process.pid) == {}, f"left running after {stop.__name__}"
        finally:
            # Whatever the test found, it leaves nothing behind itself.
            with suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def test_demo_refuses_to_run_in_production(tmp_path: Path) -> None:
    result = _demo(tmp_path, INTRAPRENEUR_ENV="production")
    assert result.returncode == 2
    assert "the demo runs only with INTRAPRENEUR_ENV=development" in result.stderr
    assert not (tmp_path / "intrapreneur.db").exists()


def test_the_demo_autumn_cohort_is_ready_for_the_set_composer(app: object) -> None:
    seed_demo_organisation()
    db.session.flush()
    autumn = db.session.scalars(select(Cohort).where(Cohort.name == "Autumn cohort")).one()
    hr = db.session.scalars(select(Person).where(Person.username == "hokafor")).one()
    facilitators = [
        FacilitatorChoice(person, 1)
        for person in db.session.scalars(
            select(Person).where(
                (Person.username == "radeyemi") | (Person.email == "nina@petrova-ventures.example")
            )
        )
    ]

    draft = composition.propose(
        autumn,
        facilitators=facilitators,
        set_count=None,
        keep_apart=True,
        seed=1,
        by=hr,
        now=datetime.now(UTC),
        today=date.today(),
    )
    db.session.flush()
    proposal = composition.workspace(draft, date.today()).proposal

    assert sum(len(s.members) for s in proposal.sets) == 11 and not proposal.unplaced
    # Priya and James manage people in the cohort, so the chain rule has work to do.
    managers = dict(db.session.execute(select(Person.id, Person.manager_id)).all())
    for proposed in proposal.sets:
        assert not any(managers[m] in proposed.members for m in proposed.members)
    assert proposal.problems == []


def test_the_demo_boards_show_every_column_a_pivot_and_a_card_waiting_for_review(
    app: object,
) -> None:
    seed_demo_organisation()
    db.session.flush()
    cards = db.session.scalars(select(Experiment)).all()
    assert {card.column for card in cards} == set(Column)
    pivot = next(card for card in cards if card.decision is Decision.PIVOT)
    assert any(card.parent_id == pivot.id for card in cards)
    assert any(services.is_overdue(card, date.today()) for card in cards)
    assert any(card.review_requested_at and card.has_request for card in cards)
    # Cards are created on the demo's own days, so every decision comes after its card.
    assert all(card.created_at <= card.decided_at for card in cards if card.decided_at)


def test_the_demo_dashboards_have_waves_to_show_and_an_open_wave_to_answer(app: object) -> None:
    seed_demo_organisation()
    db.session.flush()
    waves = db.session.scalars(select(SurveyWave).order_by(SurveyWave.opens_on)).all()
    assert [w.title for w in waves] == ["Spring pulse", "Summer pulse", "Autumn pulse"]
    figures = wave_figures(waves[:2], Rules())
    summer = figures[1].get(group="participant")
    assert not summer.hidden and summer.respondents and summer.respondents >= 5
    spring = figures[0].get(group="participant")
    # The synthetic participants' experimentation rises between the two past waves.
    assert summer.means["experimentation"] > spring.means["experimentation"]
    # Finance in Retail and in Wholesale are two columns of the heatmap, and the dashboard
    # has figures by country to show.
    departments = department_names(set(figures[1].across("department")))
    assert {"Finance (Retail)", "Finance (Wholesale)"} <= set(departments.values())
    countries = figures[1].across("country")
    assert len(countries) >= 3 and any(not figure.hidden for figure in countries.values())
    assert db.session.scalar(
        select(func.count())
        .select_from(SurveyInvitation)
        .where(SurveyInvitation.wave_id == waves[2].id)
    )
