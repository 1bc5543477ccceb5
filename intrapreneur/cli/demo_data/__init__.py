"""The demo organisation: departments, managers, HR, IT, facilitators, employees,
guest entrepreneurs, and one programme with a cohort of two mixed sets.

Seeding is idempotent: every record is looked up by its natural key first, so
running the demo again changes nothing but the demo guests' passwords.

One module per thing seeded, in the order ``organisation`` seeds them: ``people``,
``programme`` (cohorts, sets, sessions), ``ventures`` (boards and cards), ``surveys``;
``summary`` holds what a run made and the look-up-first creation they all use.
"""

from intrapreneur.cli.demo_data.organisation import seed_demo_organisation
from intrapreneur.cli.demo_data.people import DEPARTMENTS, EMPLOYEES, GUESTS, demo_passphrase
from intrapreneur.cli.demo_data.programme import NEXT_COHORT_PARTICIPANTS, SETS, seed_sessions
from intrapreneur.cli.demo_data.summary import SeedSummary
from intrapreneur.cli.demo_data.surveys import DEMO_INSTRUMENT, DEMO_SEED, seed_surveys
from intrapreneur.cli.demo_data.ventures import seed_card

__all__ = [
    "DEMO_INSTRUMENT",
    "DEMO_SEED",
    "DEPARTMENTS",
    "EMPLOYEES",
    "GUESTS",
    "NEXT_COHORT_PARTICIPANTS",
    "SETS",
    "SeedSummary",
    "demo_passphrase",
    "seed_card",
    "seed_demo_organisation",
    "seed_sessions",
    "seed_surveys",
]
