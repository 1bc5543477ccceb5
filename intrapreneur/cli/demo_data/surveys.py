"""The demo surveys: two closed waves of synthetic responses, so the dashboards and the impact
estimate have something to show, and an open wave that invites the demo's real people."""

from __future__ import annotations

import hashlib
import random
from datetime import date, timedelta

from sqlalchemy import select

from intrapreneur.cli.demo_data.people import WORKPLACES
from intrapreneur.cli.demo_data.summary import SeedSummary
from intrapreneur.culture import services as surveys
from intrapreneur.culture.instruments import Instrument, available
from intrapreneur.culture.models import SurveyGroup, SurveyResponse, SurveyWave
from intrapreneur.extensions import db
from intrapreneur.identity.models import Department, Person
from intrapreneur.learning.models import Cohort

DEMO_INSTRUMENT = "intrapreneur-culture@1.0"
DEMO_SEED = 2026


def seed_surveys(summary: SeedSummary, spring: Cohort, hr: Person, today: date) -> None:
    """Two past waves with synthetic responses (a demo organisation of fourteen people
    cannot fill groups of five), so the dashboards and the impact estimate have something
    to show, and one open wave that invites the real demo people."""
    if db.session.scalar(select(SurveyWave.id).limit(1)) is not None:
        return
    instrument = available()[DEMO_INSTRUMENT]
    departments = list(db.session.scalars(select(Department).order_by(Department.name)))
    rng = random.Random(DEMO_SEED)  # noqa: S311 - demo data, not secrecy
    for number, (title, start, lift) in enumerate(
        (("Spring pulse", 60, 0.0), ("Summer pulse", 25, 0.6))
    ):
        wave = SurveyWave(
            title=title,
            instrument_key=DEMO_INSTRUMENT,
            opens_on=today - timedelta(days=start),
            closes_on=today - timedelta(days=start - 14),
            cohorts=[spring],
        )
        db.session.add(wave)
        db.session.flush()
        for department in departments:
            for group, extra, cohort_id in (
                (SurveyGroup.PARTICIPANT, lift, spring.id),
                (SurveyGroup.COMPARISON, lift / 4, None),
            ):
                for _ in range(rng.randint(4, 12)):
                    _synthetic_response(
                        wave, instrument, department, group, cohort_id, extra, rng, number
                    )
        summary.count(SurveyWave.__tablename__)
    surveys.create_wave(
        title="Autumn pulse",
        instrument_key=DEMO_INSTRUMENT,
        cohorts=[spring],
        opens_on=today - timedelta(days=2),
        closes_on=today + timedelta(days=12),
        seed=DEMO_SEED,
        by=hr,
    )
    summary.count(SurveyWave.__tablename__)
    surveys.publish_closed_waves(today)


# Where the made-up respondents work: the demo's sites, and their countries.
SITES = sorted(set(WORKPLACES.values()))


def _synthetic_response(
    wave: SurveyWave,
    instrument: Instrument,
    department: Department,
    group: SurveyGroup,
    cohort_id: int | None,
    lift: float,
    rng: random.Random,
    salt: int,
) -> None:
    """One made-up respondent: each answer near a department's own level, participants
    lifted on experimentation in later waves (reverse items answered the other way)."""
    level = 2.6 + (department.id % 5) * 0.25
    answers = {}
    for item in instrument.items:
        mean = level + (lift if item.dimension == "experimentation" else lift / 3)
        value = min(instrument.scale_max, max(instrument.scale_min, round(rng.gauss(mean, 0.8))))
        answers[item.id] = (
            instrument.scale_min + instrument.scale_max - value if item.reverse else value
        )
    country, site = rng.choice(SITES)
    response = SurveyResponse(
        wave_id=wave.id,
        pseudonym=hashlib.sha256(f"demo-{salt}-{rng.random()}".encode()).hexdigest(),
        department_id=department.id,
        cohort_id=cohort_id,
        group=group,
        business_unit_id=department.business_unit_id,
        country=country,
        location=f"{site}, {country}",
        answers=answers,
        submitted_on=wave.opens_on + timedelta(days=rng.randint(0, 13)),
    )
    db.session.add(response)
    db.session.flush()
    db.session.add_all(surveys.score_rows(response, instrument))
