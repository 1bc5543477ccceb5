"""The whole demo organisation, seeded step by step behind one progress bar."""

from __future__ import annotations

from datetime import date

import click

from intrapreneur.cli.demo_data.people import DEPARTMENTS, EMPLOYEES, GUESTS, seed_people
from intrapreneur.cli.demo_data.programme import SETS, seed_programme
from intrapreneur.cli.demo_data.summary import SeedSummary
from intrapreneur.cli.demo_data.surveys import seed_surveys
from intrapreneur.cli.demo_data.ventures import seed_ventures


def seed_demo_organisation(today: date | None = None) -> SeedSummary:
    today = today or date.today()
    summary = SeedSummary()
    steps = len(DEPARTMENTS) + len(EMPLOYEES) + len(GUESTS) + len(SETS) + 1
    with click.progressbar(length=steps, label="Seeding demo organisation", file=None) as bar:
        people = seed_people(summary, today, bar.update)
        spring = seed_programme(summary, people, today, bar.update)
        seed_ventures(summary, people, today)
        seed_surveys(summary, spring, people["hokafor"], today)
        bar.update(1)
    return summary
