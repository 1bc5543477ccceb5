"""Survey waves, invitations and answers. Services flush; the request commits.

An answer is written in one place: a response row under a keyed pseudonym with
snapshots of department, cohort and group. The invitation is left as it was, so
the database cannot say who answered; "already answered" is the pseudonym's
response existing, which only code holding the key can ask. Answering is never
audited: an audit event would say who answered when.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import random
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel.speaklater import LazyString
from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError

from intrapreneur.core import jobs, mail
from intrapreneur.core import services as audit
from intrapreneur.core.dates import day_text
from intrapreneur.core.timezones import local
from intrapreneur.culture import aggregates, dashboard, published, queries, survey_languages
from intrapreneur.culture.aggregates import Filters
from intrapreneur.culture.anonymity import Rules
from intrapreneur.culture.figures import NONE, department_names
from intrapreneur.culture.instruments import Instrument, available
from intrapreneur.culture.ledger.waves import release_wave
from intrapreneur.culture.models import (
    PrivacyRules,
    PublishedFigure,
    SurveyGroup,
    SurveyInvitation,
    SurveyPublication,
    SurveyResponse,
    SurveyScore,
    SurveyWave,
)
from intrapreneur.culture.pseudonyms import pseudonym
from intrapreneur.extensions import db
from intrapreneur.identity.models import Person
from intrapreneur.learning.models import Cohort

DEFAULT_RULES = Rules()
ALREADY_ANSWERED = _l("You have already answered this survey; your answer is kept.")


class SurveyRefusal(Exception):
    """A refusal with messages for the person in front of the screen."""

    def __init__(self, *messages: str | LazyString, status: int = 409) -> None:
        self.messages = [str(message) for message in messages]
        super().__init__(" ".join(self.messages))
        self.status = status

    @property
    def message(self) -> str:
        return " ".join(self.messages)


class SurveyNotFound(SurveyRefusal):
    """Said without naming the survey: the link does not lead to one (any more)."""

    def __init__(self, message: str, status: int = 404) -> None:
        super().__init__(message, status=status)


@dataclass(frozen=True)
class Shortfall:
    """A department with fewer comparison candidates than participants."""

    department: str
    wanted: int
    drawn: int


@dataclass(frozen=True)
class NewWave:
    wave: SurveyWave
    # person id → the secret of their personal link; shown or sent once, never stored.
    tokens: dict[int, str] = field(repr=False)
    participants: int
    comparison: int
    shortfalls: list[Shortfall]


def instruments() -> dict[str, Instrument]:
    """The shipped instruments plus the organisation's own directory, if one is configured."""
    extra = current_app.config.get("SURVEY_INSTRUMENTS_DIR")
    return available(Path(extra) if extra else None)


def instrument_of(wave: SurveyWave) -> Instrument:
    instrument = instruments().get(wave.instrument_key)
    if instrument is None:
        raise SurveyRefusal(
            _(
                "The instrument %(instrument)s of this survey is no longer installed; "
                "ask the programme team.",
                instrument=wave.instrument_key,
            ),
            status=503,
        )
    return instrument


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_wave(
    *,
    title: str,
    instrument_key: str,
    cohorts: list[Cohort],
    opens_on: date,
    closes_on: date,
    seed: int,
    by: Person,
) -> NewWave:
    """Invite the cohorts' participants and a comparison group matched by department."""
    if instrument_key not in instruments():
        raise SurveyRefusal(
            _("There is no instrument %(instrument)s.", instrument=instrument_key), status=422
        )
    if closes_on < opens_on:
        raise SurveyRefusal(_("The survey must close on or after the day it opens."), status=422)
    participants = queries.participants_of([cohort.id for cohort in cohorts])
    if not participants:
        raise SurveyRefusal(_("The chosen cohorts have no accepted participants to ask."))
    comparison, shortfalls = _draw_comparison(participants, seed)
    wave = SurveyWave(
        title=title,
        instrument_key=instrument_key,
        opens_on=opens_on,
        closes_on=closes_on,
        cohorts=cohorts,
        created_by=by,
    )
    db.session.add(wave)
    db.session.flush()
    tokens = _invite(wave, [person for person, _ in participants], SurveyGroup.PARTICIPANT)
    tokens |= _invite(wave, comparison, SurveyGroup.COMPARISON)
    db.session.flush()
    languages = survey_languages.invitee_languages(wave)
    if missing := survey_languages.missing_texts(instruments()[instrument_key], languages):
        raise SurveyRefusal(*missing, status=422)
    # Tens of thousands of emails are a job's work; it derives the same links again.
    jobs.enqueue("survey-invitations", requested_by=by, wave_id=wave.id, site=mail.site_root())
    audit.record(
        "survey_wave.created",
        actor=by,
        obj=wave,
        instrument=instrument_key,
        cohort_ids=[cohort.id for cohort in cohorts],
        participants=len(participants),
        comparison=len(comparison),
        seed=seed,
    )
    return NewWave(wave, tokens, len(participants), len(comparison), shortfalls)


def _draw_comparison(
    participants: list[tuple[int, int | None]], seed: int
) -> tuple[list[int], list[Shortfall]]:
    """Per department, as many non-participants as participants, drawn reproducibly."""
    wanted = Counter(department_id for _, department_id in participants)
    candidates = queries.comparison_candidates(set(wanted))
    generator = random.Random(seed)  # noqa: S311 - a reproducible draw, not a secret
    drawn: list[int] = []
    short: dict[int | None, tuple[int, int]] = {}
    # A fixed order of departments and candidates makes the seed alone decide the draw.
    for department_id in sorted(wanted, key=lambda d: (d is not None, d or 0)):
        pool = candidates.get(department_id, [])
        count = min(wanted[department_id], len(pool))
        drawn.extend(generator.sample(pool, count))
        if count < wanted[department_id]:
            short[department_id] = (wanted[department_id], count)
    return drawn, _shortfalls(short)


def _shortfalls(short: dict[int | None, tuple[int, int]]) -> list[Shortfall]:
    if not short:
        return []
    # "Finance (Retail)": names alone repeat across business units.
    names = department_names({NONE if d is None else str(d) for d in short})
    return [
        Shortfall(names[NONE if department_id is None else str(department_id)], wanted, drawn)
        for department_id, (wanted, drawn) in short.items()
    ]


def _invite(wave: SurveyWave, person_ids: list[int], group: SurveyGroup) -> dict[int, str]:
    tokens = {person_id: invitation_token(wave.id, person_id) for person_id in person_ids}
    db.session.add_all(
        SurveyInvitation(wave=wave, person_id=person_id, group=group, token_hash=token_hash(token))
        for person_id, token in tokens.items()
    )
    return tokens


def invitation_token(wave_id: int, person_id: int) -> str:
    """The secret of one personal link: keyed with the app's secret key, so the invitation
    job can make the link again while the database holds only its hash (a dump alone
    gives no working link)."""
    key = current_app.config["SECRET_KEY"].encode()
    digest = hmac.new(key, f"survey-invitation:{wave_id}:{person_id}".encode(), "sha256")
    return base64.urlsafe_b64encode(digest.digest()).decode().rstrip("=")


def ensure_open(wave: SurveyWave, today: date, zone_name: str) -> None:
    """Refuse answers outside the wave's days; a date is told in the reader's zone."""
    if wave.closed_at is not None:
        closed_on = local(wave.closed_at, zone_name).date()
        raise SurveyRefusal(
            _(
                "This survey was closed early on %(day)s; answers given before then are kept.",
                day=day_text(closed_on, "long"),
            ),
            status=410,
        )
    if today > wave.closes_on:
        raise SurveyRefusal(
            _("This survey closed on %(day)s.", day=day_text(wave.closes_on, "long")),
            status=410,
        )
    if today < wave.opens_on:
        raise SurveyRefusal(_("This survey opens on %(day)s.", day=day_text(wave.opens_on, "long")))


def invitation_for_token(token: str, today: date) -> SurveyInvitation:
    invitation = queries.invitation_by_token_hash(token_hash(token))
    if invitation is None:
        raise SurveyNotFound(
            _(
                "This survey link is not valid. Check that you opened the whole link, "
                "or answer from “My surveys” after signing in."
            )
        )
    # The personal link stands in for a session: it stops with the person's access (a
    # leaver's forwarded link must neither add an answer nor name the survey).
    if not invitation.person.may_act(today):
        raise SurveyNotFound(
            _("This survey link no longer works: the account it was sent to is switched off."),
            status=410,
        )
    return invitation


def invitation_to(wave: SurveyWave, person: Person) -> SurveyInvitation:
    invitation = queries.invitation_of(wave.id, person.id)
    if invitation is None:
        raise SurveyNotFound(_("You are not invited to this survey."))
    return invitation


def ensure_can_answer(invitation: SurveyInvitation, today: date) -> None:
    ensure_open(invitation.wave, today, invitation.person.time_zone)
    if queries.has_answered(invitation.wave_id, pseudonym_of(invitation.person_id)):
        raise SurveyRefusal(ALREADY_ANSWERED)


def pseudonym_of(person_id: int) -> str:
    return pseudonym(person_id, current_app.config["SURVEY_PSEUDONYM_KEY"])


def answer(
    wave: SurveyWave,
    person: Person,
    answers: Mapping[str, int],
    comment: str,
    today: date,
    *,
    language: str,
) -> SurveyResponse:
    """Answer in the app, signed in."""
    return answer_invitation(
        invitation_to(wave, person), answers, comment, today, language=language
    )


def answer_by_token(
    token: str, answers: Mapping[str, int], comment: str, today: date, *, language: str
) -> SurveyResponse:
    """Answer through the personal link, without signing in: its secret is the credential,
    and it works for one answer to one wave only."""
    return answer_invitation(
        invitation_for_token(token, today), answers, comment, today, language=language
    )


def answer_invitation(
    invitation: SurveyInvitation,
    answers: Mapping[str, int],
    comment: str,
    today: date,
    *,
    language: str,
) -> SurveyResponse:
    """Store one answer under the invitee's pseudonym, with the language the questionnaire
    was shown in (``survey_languages.questionnaire_language``); the first answer is the one kept."""
    ensure_can_answer(invitation, today)
    instrument = instrument_of(invitation.wave)
    if problems := instrument.answer_errors(answers):
        raise SurveyRefusal(*problems, status=422)
    if not answers:
        raise SurveyRefusal(
            _("Answer at least one question; you can skip any you prefer not to answer."),
            status=422,
        )
    response = _response(invitation, dict(answers), comment.strip(), today)
    response.language = language
    try:  # two submissions racing past the check: the unique pseudonym keeps the first
        with db.session.begin_nested():
            db.session.add(response)
            db.session.flush()
    except IntegrityError:
        raise SurveyRefusal(ALREADY_ANSWERED) from None
    db.session.add_all(score_rows(response, instrument))
    return response


def _response(
    invitation: SurveyInvitation, answers: dict[str, int], comment: str, today: date
) -> SurveyResponse:
    person = invitation.person
    participant = invitation.group is SurveyGroup.PARTICIPANT
    return SurveyResponse(
        wave_id=invitation.wave_id,
        pseudonym=pseudonym_of(person.id),
        department_id=person.department_id,
        cohort_id=queries.cohort_in_wave(invitation.wave_id, person.id) if participant else None,
        group=invitation.group,
        business_unit_id=person.business_unit_id,
        country=person.country,
        location=person.place,
        answers=answers,
        comment=comment,
        submitted_on=today,
    )


def score_rows(response: SurveyResponse, instrument: Instrument) -> list[SurveyScore]:
    """The response's score on each dimension, with its snapshots copied in."""
    return [
        score_row(response, dimension, score)
        for dimension, score in instrument.scores(response.answers).items()
    ]


def score_row(response: SurveyResponse, dimension: str, score: float) -> SurveyScore:
    return SurveyScore(
        response_id=response.id,
        wave_id=response.wave_id,
        dimension=dimension,
        score=score,
        department_id=response.department_id,
        cohort_id=response.cohort_id,
        group=response.group,
    )


def close_early(wave: SurveyWave, *, by: Person, now: datetime) -> None:
    """Stop new answers now; what was answered stays."""
    if wave.has_closed(now.date()):
        raise SurveyRefusal(_("This survey has already closed."))
    wave.closed_at = now
    audit.record("survey_wave.closed_early", actor=by, obj=wave)
    # Its figures are published once, in the background (they take a while on a big wave).
    jobs.enqueue("survey-waves", requested_by=by)


def publish_closed_waves(today: date) -> int:
    """Decide and keep the release of every closed wave that has none for the rules in force,
    oldest first, each against everything the earlier ones released (see ``ledger``);
    publications made with other rules or another series of earlier waves are dropped.
    Returns how many waves were published. Idempotent: the scheduler runs it hourly, and
    closing a wave early runs it too."""
    waves = queries.published_series(today)
    rules = dashboard.rules_in_force()
    stored = published.stored_series(waves, rules)
    _drop_publications_except([figures.publication for figures in stored])
    earlier = [published.earlier_release(figures.publication) for figures in stored]
    scopes = dashboard.manager_scopes()
    for number in range(len(stored), len(waves)):
        wave = waves[number]
        series = [earlier_wave.id for earlier_wave in waves[: number + 1]]
        dimensions = queries.dimensions_scored(wave.id)
        release = release_wave(series, earlier, dimensions, rules, scopes)
        # Alpha needs the items; a wave whose instrument is gone is published without it.
        instrument = instruments().get(wave.instrument_key)
        alphas = aggregates.alphas(wave.id, instrument, Filters()) if instrument else {}
        published.store(wave, waves[:number], rules, release, alphas)
        earlier.append(release.as_earlier())
    return len(waves) - len(stored)


def _drop_publications_except(kept: list[SurveyPublication]) -> None:
    stale = select(SurveyPublication.id).where(
        SurveyPublication.id.not_in([publication.id for publication in kept])
    )
    db.session.execute(delete(PublishedFigure).where(PublishedFigure.publication_id.in_(stale)))
    db.session.execute(delete(SurveyPublication).where(SurveyPublication.id.in_(stale)))


def privacy_rules() -> PrivacyRules | None:
    return db.session.scalar(select(PrivacyRules).limit(1))


def set_privacy_rules(
    *, min_group: int, min_group_comments: int, by: Person, now: datetime
) -> None:
    """Change the minimum group sizes; the engine's own limits apply (k at least 3,
    comments at least k), and the change, old and new, goes into the audit log."""
    try:
        Rules(k=min_group, comment_k=min_group_comments)
    except ValueError:
        raise SurveyRefusal(
            _(
                "Not changed: the minimum respondents behind a figure is at least 3, and the "
                "minimum behind shown comments (%(comments)s) at least that (%(figures)s).",
                comments=min_group_comments,
                figures=min_group,
            ),
            status=422,
        ) from None
    rules = privacy_rules() or PrivacyRules()
    before = (
        rules.min_group or DEFAULT_RULES.k,
        rules.min_group_comments or DEFAULT_RULES.comment_k,
    )
    rules.min_group, rules.min_group_comments = min_group, min_group_comments
    rules.updated_by_id, rules.updated_at = by.id, now
    db.session.add(rules)
    audit.record(
        "privacy.min_group_changed",
        actor=by,
        min_group_before=before[0],
        min_group=min_group,
        min_group_comments_before=before[1],
        min_group_comments=min_group_comments,
    )
