"""The demo organisation: departments, managers, HR, IT, facilitators, employees,
guest entrepreneurs, and one programme with a cohort of two mixed sets.

Seeding is idempotent: every record is looked up by its natural key first, so
running the demo again changes nothing but the demo guests' passwords.
"""

from __future__ import annotations

import hashlib
import random
import secrets
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

import click
from sqlalchemy import select

from intrapreneur.culture import services as surveys
from intrapreneur.culture.instruments import Instrument, available
from intrapreneur.culture.models import SurveyGroup, SurveyResponse, SurveyWave
from intrapreneur.experiments import services as experiments
from intrapreneur.experiments.models import (
    Column,
    Decision,
    Experiment,
    Stage,
    TeamRole,
    Venture,
    VentureMember,
    VentureShare,
    Visibility,
)
from intrapreneur.extensions import db
from intrapreneur.identity.models import Department, Person, PersonKind, PersonRole, Role
from intrapreneur.identity.passwords import hash_password
from intrapreneur.learning.agenda_templates import default_agenda
from intrapreneur.learning.formats import agenda_minutes
from intrapreneur.learning.models import (
    Action,
    Attendance,
    BarrierCategory,
    Cohort,
    Enrolment,
    EnrolmentStatus,
    HotSeat,
    LearningSession,
    LearningSet,
    Programme,
    Question,
    SetMembership,
)

DEPARTMENTS = [
    "Finance",
    "Operations",
    "Product & Engineering",
    "Sales",
    "People & Culture",
    "Customer Service",
    "IT",
]

# username, name, department, title, manager username, extra roles
EMPLOYEES: list[tuple[str, str, str, str, str | None, tuple[Role, ...]]] = [
    (
        "mlindqvist",
        "Marcus Lindqvist",
        "Operations",
        "Chief Operating Officer",
        None,
        (Role.MANAGER,),
    ),
    (
        "praman",
        "Priya Raman",
        "Product & Engineering",
        "Head of Product",
        "mlindqvist",
        (Role.MANAGER,),
    ),
    ("jwhitfield", "James Whitfield", "Finance", "Finance Director", "mlindqvist", (Role.MANAGER,)),
    ("hokafor", "Helen Okafor", "People & Culture", "Programme Lead", "mlindqvist", (Role.HR,)),
    ("amira", "Amira Haddad", "IT", "IT Service Owner", "mlindqvist", (Role.ADMIN,)),
    (
        "radeyemi",
        "Ruth Adeyemi",
        "People & Culture",
        "Learning Facilitator",
        "hokafor",
        (Role.FACILITATOR,),
    ),
    ("tbecker", "Tom Becker", "Finance", "Financial Analyst", "jwhitfield", ()),
    ("gliu", "Grace Liu", "Finance", "Procurement Specialist", "jwhitfield", ()),
    ("dkim", "Daniel Kim", "Product & Engineering", "Software Engineer", "praman", ()),
    ("jmeyer", "Jonas Meyer", "Product & Engineering", "UX Designer", "praman", ()),
    ("salves", "Sofia Alves", "Sales", "Account Manager", "mlindqvist", ()),
    ("cmartin", "Chloe Martin", "Sales", "Sales Operations Analyst", "mlindqvist", ()),
    ("lfischer", "Lena Fischer", "Operations", "Logistics Planner", "mlindqvist", ()),
    ("osaid", "Omar Said", "Customer Service", "Team Leader", "mlindqvist", ()),
]

# email, name, extra roles
GUESTS: list[tuple[str, str, tuple[Role, ...]]] = [
    ("nina@petrova-ventures.example", "Nina Petrova", (Role.FACILITATOR,)),
    ("leo@santos-labs.example", "Leo Santos", ()),
]

SETS = [
    (
        "Set Aurora",
        "radeyemi",
        ["tbecker", "salves", "dkim", "lfischer", "leo@santos-labs.example"],
    ),
    ("Set Borealis", "nina@petrova-ventures.example", ["osaid", "gliu", "jmeyer", "cmartin"]),
]

# The next cohort: accepted, no sets yet, so HR can try the set composer on managers and
# their reports, a guest, and people who shared a set in the spring.
NEXT_COHORT_PARTICIPANTS = [
    "praman",
    "jwhitfield",
    "dkim",
    "jmeyer",
    "tbecker",
    "gliu",
    "salves",
    "cmartin",
    "lfischer",
    "osaid",
    "leo@santos-labs.example",
]


@dataclass
class SeedSummary:
    created: dict[str, int] = field(default_factory=dict)
    guest_passwords: dict[str, str] = field(default_factory=dict)
    employees: list[str] = field(default_factory=list)

    def count(self, kind: str) -> None:
        self.created[kind] = self.created.get(kind, 0) + 1

    def describe(self) -> str:
        made = ", ".join(f"{n} {kind}" for kind, n in self.created.items()) or "nothing new"
        lines = [f"Demo organisation ready ({made} created)."]
        lines.append("Employees (username, name, roles):")
        lines += [f"  {name}" for name in self.employees]
        lines.append(
            "Guest entrepreneurs sign in with email and password (new passwords each run):"
        )
        lines += [f"  {email}  {password}" for email, password in self.guest_passwords.items()]
        return "\n".join(lines)


def _get_or_create(
    summary: SeedSummary, model: type[Any], lookup: dict[str, Any], **values: Any
) -> Any:
    found = db.session.scalar(select(model).filter_by(**lookup))
    if found is not None:
        return found
    record = model(**lookup, **values)
    db.session.add(record)
    summary.count(model.__tablename__)
    return record


def _grant(person: Person, roles: tuple[Role, ...]) -> None:
    for role in roles:
        if role not in person.role_names:
            person.roles.append(PersonRole(role=role))


def demo_passphrase() -> str:
    words = ["harbour", "lantern", "meadow", "copper", "violet", "summit", "orchard", "falcon"]
    return "-".join(secrets.choice(words) for _ in range(4)) + f"-{secrets.randbelow(90) + 10}"


def seed_demo_organisation(today: date | None = None) -> SeedSummary:
    today = today or date.today()
    summary = SeedSummary()
    steps = len(DEPARTMENTS) + len(EMPLOYEES) + len(GUESTS) + len(SETS) + 1
    people: dict[str, Person] = {}
    with click.progressbar(length=steps, label="Seeding demo organisation", file=None) as bar:
        departments = {}
        for name in DEPARTMENTS:
            departments[name] = _get_or_create(summary, Department, {"name": name})
            bar.update(1)
        for username, name, department, title, manager, roles in EMPLOYEES:
            person = _get_or_create(
                summary,
                Person,
                {"username": username},
                kind=PersonKind.EMPLOYEE,
                email=f"{username}@corp.example",
                display_name=name,
                title=title,
                department=departments[department],
                manager=people.get(manager) if manager else None,
            )
            _grant(person, (Role.EMPLOYEE, *roles))
            people[username] = person
            held = sorted(role.value for role in person.role_names | {Role.EMPLOYEE, *roles})
            summary.employees.append(f"{username:<11} {name} ({', '.join(held)})")
            bar.update(1)
        for email, name, roles in GUESTS:
            guest = _get_or_create(
                summary,
                Person,
                {"email": email},
                kind=PersonKind.GUEST,
                display_name=name,
                access_ends_on=today + timedelta(days=180),
            )
            _grant(guest, (Role.GUEST, *roles))
            passphrase = demo_passphrase()
            guest.password_hash = hash_password(passphrase)
            summary.guest_passwords[email] = passphrase
            people[email] = guest
            bar.update(1)
        programme = _get_or_create(
            summary,
            Programme,
            {"name": "Ignite 2027"},
            description=(
                "A year of action learning for people who want to build new things "
                "inside the company."
            ),
        )
        cohort = _get_or_create(
            summary,
            Cohort,
            {"programme": programme, "name": "Spring cohort"},
            starts_on=today - timedelta(days=14),
            ends_on=today + timedelta(days=120),
            capacity=24,
            enrolment_open=True,
        )
        db.session.flush()
        for set_name, facilitator, members in SETS:
            learning_set = _get_or_create(
                summary,
                LearningSet,
                {"cohort": cohort, "name": set_name},
                facilitator=people[facilitator],
            )
            db.session.flush()
            for member in members:
                _get_or_create(
                    summary,
                    SetMembership,
                    {"learning_set": learning_set, "person": people[member]},
                    joined_on=cohort.starts_on,
                )
                # Set members are the cohort's accepted participants.
                _get_or_create(
                    summary,
                    Enrolment,
                    {"cohort": cohort, "person": people[member]},
                    status=EnrolmentStatus.ACCEPTED,
                )
            seed_sessions(summary, learning_set, [people[m] for m in members], today)
            bar.update(1)
        _seed_next_cohort(summary, programme, people, today)
        _seed_ventures(summary, people, today)
        seed_surveys(summary, cohort, people["hokafor"], today)
        bar.update(1)
    return summary


def _seed_next_cohort(
    summary: SeedSummary, programme: Programme, people: dict[str, Person], today: date
) -> None:
    cohort = _get_or_create(
        summary,
        Cohort,
        {"programme": programme, "name": "Autumn cohort"},
        starts_on=today + timedelta(days=60),
        ends_on=today + timedelta(days=240),
        capacity=24,
        enrolment_open=True,
    )
    for key in NEXT_COHORT_PARTICIPANTS:
        _get_or_create(
            summary,
            Enrolment,
            {"cohort": cohort, "person": people[key]},
            status=EnrolmentStatus.ACCEPTED,
        )


def seed_sessions(
    summary: SeedSummary, learning_set: LearningSet, members: list[Person], today: date
) -> None:
    """Two held sessions with their registers, the latest with a hot seat, questions and
    a commitment due, and two to come: the session screen opens with something to review
    and set health has figures. Only for a set without any."""
    if db.session.scalar(
        select(LearningSession.id).where(LearningSession.set_id == learning_set.id)
    ):
        return
    agenda = default_agenda(learning_set.default_format, len(members))
    length = timedelta(minutes=agenda_minutes(agenda))
    nine_thirty = datetime.combine(today, time(9, 30), tzinfo=UTC)
    sessions = [
        LearningSession(
            learning_set=learning_set,
            format=learning_set.default_format,
            starts_at=nine_thirty + timedelta(days=offset),
            ends_at=nine_thirty + timedelta(days=offset) + length,
            location="Innovation room, 3rd floor",
            agenda=agenda,
        )
        for offset in (-21, -7, 7, 21)
    ]
    db.session.add_all(sessions)
    db.session.flush()
    held = sessions[:2]
    for session, absent in zip(held, (members[-1], None), strict=True):
        db.session.add_all(
            Attendance(session_id=session.id, person_id=m.id, present=m is not absent)
            for m in members
        )
    seat = HotSeat(
        session_id=held[-1].id,
        person=members[0],
        challenge_title="No budget to test the idea with real customers",
        challenge_description="Finance wants a business case before any spend.",
        barrier=BarrierCategory.RESOURCES,
    )
    db.session.add(seat)
    db.session.flush()
    db.session.add_all(
        Question(hot_seat_id=seat.id, asked_by_id=asker.id, text=text)
        for asker, text in (
            (members[1], "What would the smallest test that Finance would accept look like?"),
            (members[2], "Who in Finance has said yes to something like this before?"),
        )
    )
    db.session.add(
        Action(
            session_id=held[-1].id,
            hot_seat_id=seat.id,
            owner_id=members[0].id,
            description="Ask five customers whether they would pre-order",
            due_on=today + timedelta(days=6),
        )
    )
    for _ in sessions:
        summary.count(LearningSession.__tablename__)


def _seed_ventures(summary: SeedSummary, people: dict[str, Person], today: date) -> None:
    """Two ventures whose boards have a card in every column, a pivot with its child, a
    kill, an overdue card and a request for money waiting for the owner's managers."""
    if db.session.scalar(select(Venture.id).limit(1)) is not None:
        return
    tom, omar = people["tbecker"], people["osaid"]
    start = datetime.combine(today - timedelta(days=40), time(9), tzinfo=UTC)

    def day(n: int) -> datetime:
        return start + timedelta(days=n)

    shops = experiments.create_venture(
        title="Pre-orders for independent shops",
        problem="Shops order stock too late and run out in **peak weeks**.",
        customer="Owners of independent shops with 1–10 staff",
        stage=Stage.SOLUTION,
        visibility=Visibility.SETS,
        by=tom,
        now=day(0),
    )
    aurora = db.session.scalar(select(LearningSet).where(LearningSet.name == "Set Aurora"))
    if aurora is not None:
        db.session.add(VentureShare(venture_id=shops.id, set_id=aurora.id))
    db.session.add(
        VentureMember(
            venture_id=shops.id,
            person_id=people["leo@santos-labs.example"].id,
            role=TeamRole.MEMBER,
        )
    )
    interviews = _decided_card(
        shops,
        tom,
        day(1),
        day(12),
        Decision.PIVOT,
        title="Interviews with ten shop owners",
        learning="They want pre-orders from *their* customers, not from us.",
    )
    child = db.session.scalar(select(Experiment).where(Experiment.parent_id == interviews.id))
    if child is not None:
        _run(child, tom, day(14), today, cost=Decimal(400))
    _decided_card(
        shops,
        tom,
        day(2),
        day(9),
        Decision.KILL,
        title="Landing page for a shop marketplace",
        learning="Nobody signed up in two weeks: no pull for a marketplace.",
    )
    overdue = seed_card(shops, tom, day(5), "Will suppliers share stock levels?")
    _run(overdue, tom, day(6), today - timedelta(days=3))
    experiments.move(overdue, Column.ANALYSING, version=overdue.version, by=tom, now=day(30))
    seed_card(shops, tom, day(20), "Which price per pre-order would shops accept?")
    designing = seed_card(shops, tom, day(21), "Can the till system export orders?")
    experiments.move(designing, Column.DESIGNING, version=designing.version, by=tom, now=day(22))
    returns = experiments.create_venture(
        title="Self-service returns",
        problem="Customers wait on the phone to return faulty items.",
        customer="Retail customers who bought online",
        stage=Stage.PROBLEM,
        visibility=Visibility.ORGANISATION,
        by=omar,
        now=day(3),
    )
    _run(
        seed_card(returns, omar, day(4), "Would customers print their own label?"),
        omar,
        day(5),
        today + timedelta(days=10),
    )
    db.session.flush()
    for _ in (shops, returns):
        summary.count(Venture.__tablename__)


def seed_card(venture: Venture, owner: Person, now: datetime, title: str) -> Experiment:
    fields = experiments.CardFields(
        title=title,
        hypothesis=f"We believe that the answer to “{title}” is yes.",
        test="To verify that, we will ask and watch ten people.",
        metric="and measure how many say yes and act on it.",
    )
    return experiments.create_experiment(venture, fields, owner=owner, by=owner, now=now)


def _run(
    experiment: Experiment, owner: Person, now: datetime, ends_on: date, cost: Decimal = Decimal(0)
) -> None:
    fields = experiments.CardFields(
        title=experiment.title,
        hypothesis=experiment.hypothesis,
        test=experiment.test,
        metric=experiment.metric,
        success_criterion="We are right if at least three of ten say yes and act on it.",
        starts_on=now.date(),
        ends_on=ends_on,
        cost_requested=cost,
    )
    experiments.update_experiment(experiment, fields, version=experiment.version, by=owner, now=now)
    db.session.flush()
    experiments.move(experiment, Column.RUNNING, version=experiment.version, by=owner, now=now)
    db.session.flush()


def _decided_card(
    venture: Venture,
    owner: Person,
    started: datetime,
    decided: datetime,
    decision: Decision,
    *,
    title: str,
    learning: str,
) -> Experiment:
    experiment = seed_card(venture, owner, started, title)
    _run(experiment, owner, started, decided.date())
    card = experiments.LearningCard(
        observation="Ten conversations, notes in the team folder.",
        learning=learning,
        evidence_data="10 interviews; 7 said the same thing unprompted",
        decision=decision,
    )
    experiments.decide(experiment, card, version=experiment.version, by=owner, now=decided)
    db.session.flush()
    return experiment


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
    response = SurveyResponse(
        wave_id=wave.id,
        pseudonym=hashlib.sha256(f"demo-{salt}-{rng.random()}".encode()).hexdigest(),
        department_id=department.id,
        cohort_id=cohort_id,
        group=group,
        answers=answers,
        submitted_on=wave.opens_on + timedelta(days=rng.randint(0, 13)),
    )
    db.session.add(response)
    db.session.flush()
    db.session.add_all(surveys.score_rows(response, instrument))
