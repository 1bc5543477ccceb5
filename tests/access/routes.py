"""Every GET route of the app: the URLs walked for it (one per id of the seeded objects, and
one id that does not exist) and the answer the oracle expects for each persona.

Answers: OK is 200; HIDDEN is 404, for objects whose existence is not revealed ("another
set's session or venture answers 404", SECURITY.md); NO is 403 or 404, for pages a person's
role or part may not use; LOGIN is the redirect to the sign-in page, for everyone not signed
in (or whose session is refused); AWAY is a redirect elsewhere.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from intrapreneur.identity.models import Role
from intrapreneur.learning.models import SessionFormat
from tests.access.facts import World
from tests.access.oracle import Oracle
from tests.access.world import HOT_SEATS

Outcome = int | str
Expect = frozenset[Outcome]
OK: Expect = frozenset({200})
HIDDEN: Expect = frozenset({404})
NO: Expect = frozenset({403, 404})
LOGIN: Expect = frozenset({"login"})
UNAUTHORIZED: Expect = frozenset({401})
AWAY: Expect = frozenset({"away"})
# A link or token that no longer stands in for anyone: any refusal, never the page.
REFUSED: Expect = frozenset({400, 401, 403, 404, 409, 410})
# A closed survey takes no more answers: its invitee is told so.
CLOSED: Expect = frozenset({403, 409, 410})
MISSING_ID = 987_654

# (oracle, persona, the name of the object in the URL — None for an id nobody has)
Rule = Callable[[Oracle, str, str | None], Expect]


@dataclass(frozen=True)
class Route:
    path: str  # "{}" stands for the object's id
    kind: str | None  # what the id names; None for a URL without one
    rule: Rule
    public: bool = False  # answers without a session, so no LOGIN for those not signed in


def _ok(o: Oracle, p: str, t: str | None) -> Expect:
    return OK


def _role(*roles: Role) -> Rule:
    return lambda o, p, t: OK if o.has(p, *roles) else NO


def _role_then(roles: tuple[Role, ...], rule: Rule) -> Rule:
    """A role gate (403 to others, whatever the id), then the object's own rule."""
    return lambda o, p, t: rule(o, p, t) if o.has(p, *roles) else NO


def _exists(o: Oracle, p: str, t: str | None) -> Expect:
    return OK if t is not None else HIDDEN


HR, ADMIN, MANAGER = (Role.HR,), (Role.ADMIN,), (Role.MANAGER,)
CULTURE = (Role.HR, Role.ADMIN)  # the whole organisation's figures: dashboard, exports
# The portfolio: figures across ventures; a venture named only where its reader may see it.
PORTFOLIO = (Role.SPONSOR, Role.HR)


# -- sets and sessions -------------------------------------------------------------------------


def _session_of(o: Oracle, kind: str, name: str) -> str:
    return o.world.hot_seats[name][1] if kind == "hot_seat" else name


def _set_of(o: Oracle, kind: str, name: str) -> str:
    return name if kind == "set" else o.world.sessions[_session_of(o, kind, name)].set


def _sees(kind: str) -> Rule:
    def rule(o: Oracle, p: str, t: str | None) -> Expect:
        return OK if t is not None and o.sees_set(p, _set_of(o, kind, t)) else HIDDEN

    return rule


def _runs(kind: str, *, members: Expect = NO) -> Rule:
    """Pages of those who run the set; its members see the set but not these (``members``);
    a cancelled session's forms send back to its screen."""

    def rule(o: Oracle, p: str, t: str | None) -> Expect:
        if t is None:
            return HIDDEN
        set_name = _set_of(o, kind, t)
        if o.manages_set(p, set_name):
            session = None if kind == "set" else _session_of(o, kind, t)
            return AWAY if session is not None and o.world.sessions[session].cancelled else OK
        return members if o.sees_set(p, set_name) else HIDDEN

    return rule


def _answers(o: Oracle, p: str, t: str | None) -> Expect:
    return OK if t is not None and o.answers_about(p, t) else HIDDEN


def _going_on(o: Oracle, p: str, t: str | None) -> Expect:
    """A stay that has ended is history: no page changes it."""
    return OK if t is not None and o.stay_goes_on(t) else HIDDEN


def _removable(o: Oracle, p: str, t: str | None) -> Expect:
    """Those who run the set take a member out of it; its members see the set, not this."""
    if t is None:
        return HIDDEN
    set_name = o.world.memberships[t][1]
    if o.manages_set(p, set_name):
        return _going_on(o, p, t)
    return NO if o.sees_set(p, set_name) else HIDDEN


def _cohort_team(o: Oracle, p: str, t: str | None) -> Expect:
    """The cohort's page is for those who decide on its enrolments: "HR or the cohort's
    facilitators accept or decline"."""
    runs = t is not None and (
        o.has(p, Role.HR)
        or any(s.cohort == t and o.facilitates(p, n) and o.acts(p) for n, s in o.world.sets.items())
    )
    if runs:
        return OK
    return HIDDEN if t is None and o.has(p, Role.HR, Role.FACILITATOR) else NO


# -- ventures --------------------------------------------------------------------------------


def _venture_of(o: Oracle, kind: str, name: str) -> str:
    return o.world.experiments[name][1] if kind == "experiment" else name


def _board(kind: str, may: Callable[[Oracle, str, str], bool] | None = None) -> Rule:
    """A board's pages: those who see the venture read; ``may`` narrows who may use the page
    (the team to add or edit cards, owners for settings); other readers get NO."""

    def rule(o: Oracle, p: str, t: str | None) -> Expect:
        if t is None:
            return HIDDEN
        venture = _venture_of(o, kind, t)
        if not o.sees_venture(p, venture):
            return HIDDEN
        return OK if may is None or may(o, p, venture) else NO

    return rule


def _review(kind: str) -> Rule:
    def rule(o: Oracle, p: str, t: str | None) -> Expect:
        return OK if t is not None and o.reviews(p, _venture_of(o, kind, t)) else HIDDEN

    return _role_then(MANAGER, rule)


# -- surveys, jobs -----------------------------------------------------------------------------


def _answer(o: Oracle, p: str, t: str | None) -> Expect:
    if t is None or not o.invited(p, t):
        return HIDDEN  # "not invited: nobody learns which surveys others were asked"
    return OK if o.world.waves[t].open else CLOSED


def _export(o: Oracle, p: str, t: str | None) -> Expect:
    """Exports serve closed waves only."""
    return OK if t is not None and not o.world.waves[t].open else REFUSED


def _job(o: Oracle, p: str, t: str | None) -> Expect:
    """A job's page: admins and whoever started it; others learn nothing of it."""
    job = None if t is None else int(t)
    return OK if job is not None and (o.has(p, Role.ADMIN) or o.requested(p, job)) else HIDDEN


def _job_file(o: Oracle, p: str, t: str | None) -> Expect:
    """The file is for the person who asked only; before it exists they are told so (409)."""
    job = None if t is None else int(t)
    if job is None or not o.requested(p, job):
        return HIDDEN
    return OK if o.world.jobs[job][1] else frozenset({409})


def _guest(o: Oracle, p: str, t: str | None) -> Expect:
    """A guest's page in HR's guest list; employees are not looked after there."""
    return OK if t is not None and o.world.persons[t].guest else HIDDEN


def _no_token(o: Oracle, p: str, t: str | None) -> Expect:
    return UNAUTHORIZED


def _sign_in(o: Oracle, p: str, t: str | None) -> Expect:
    return AWAY if o.acts(p) else OK


def _second_step(o: Oracle, p: str, t: str | None) -> Expect:
    """Only for someone half signed in (tests/identity/test_two_step.py): nobody here is."""
    return LOGIN


def _two_step_to_reset(o: Oracle, p: str, t: str | None) -> Expect:
    """A local account whose second step is on, other than the admin's own (refused)."""
    if t == p:
        return NO
    return OK if t is not None and o.world.persons[t].two_step else HIDDEN


# -- expertise and Hacks ---------------------------------------------------------------------


def _own_challenge(o: Oracle, p: str, t: str | None) -> Expect:
    """Asked from one's own hot seat: the set's other people see it but may not ask."""
    if t is None or not o.sees_set(p, _set_of(o, "hot_seat", t)):
        return HIDDEN
    return OK if HOT_SEATS[t][1] == p else NO


def _in_hack(*, accepted_only: bool = False) -> Rule:
    def rule(o: Oracle, p: str, t: str | None) -> Expect:
        if t is None or not o.in_hack(p, t):
            return HIDDEN
        return OK if o.world.hacks[t][3] or not accepted_only else HIDDEN

    return rule


def _local_account(o: Oracle, p: str, t: str | None) -> Expect:
    return OK if o.world.persons[p].guest else NO


ROUTES: dict[str, Route] = {
    "main.home": Route("/", None, _ok),
    "account.notifications": Route("/account/notifications", None, _ok),
    "account.profile": Route("/account/profile", None, _ok),
    "two_step.settings": Route("/account/two-step", None, _local_account),
    "calendar.page": Route("/calendar", None, _ok),
    "search.page": Route("/search?q=mkq", None, _ok),
    "reviews.notifications": Route("/notifications", None, _ok),
    "sessions.my_commitments": Route("/commitments", None, _ok),
    "surveys.mine": Route("/surveys/mine", None, _ok),
    "ventures.index": Route("/ventures/", None, _ok),
    "library.index": Route("/library", None, _ok),
    "ventures.new": Route("/ventures/new", None, _ok),
    "portfolio.page": Route("/portfolio", None, _role(*PORTFOLIO)),
    "portfolio.export_pdf": Route("/portfolio/export.pdf", None, _role(*PORTFOLIO)),
    "admin.api_clients": Route("/admin/api-clients", None, _role(*ADMIN)),
    "admin.audit_log": Route("/admin/audit", None, _role(*ADMIN)),
    "admin.export_audit_log": Route("/admin/audit/export.jsonl", None, _role(*ADMIN)),
    "admin.directory": Route("/admin/directory", None, _role(*ADMIN)),
    "admin.privacy": Route("/admin/privacy", None, _role(*ADMIN)),
    "data_protection.page": Route("/admin/data-protection", None, _role(*ADMIN)),
    "people_admin.index": Route("/admin/people", None, _role(*ADMIN)),
    "people_admin.detail": Route("/admin/people/{}", "person", _role_then(ADMIN, _exists)),
    "two_step.accounts": Route("/admin/two-step", None, _role(*ADMIN)),
    "two_step.reset": Route(
        "/admin/two-step/{}/reset", "person", _role_then(ADMIN, _two_step_to_reset)
    ),
    "jobs.index": Route("/admin/jobs", None, _role(*ADMIN)),
    "agendas.index": Route("/agendas/", None, _role(*HR)),
    "agendas.edit": Route("/agendas/{}", "format", _role_then(HR, _exists)),
    "guests.index": Route("/guests/", None, _role(*HR)),
    "guests.invite": Route("/guests/invite", None, _role(*HR)),
    "guests.detail": Route("/guests/{}", "person", _role_then(HR, _guest)),
    "programmes.index": Route("/programmes/", None, _role(*HR)),
    "programmes.new_programme": Route("/programmes/new", None, _role(*HR)),
    "programmes.new_cohort": Route(
        "/programmes/{}/cohorts/new", "programme", _role_then(HR, _exists)
    ),
    "programmes.edit_programme": Route("/programmes/{}/edit", "programme", _role_then(HR, _exists)),
    "surveys.index": Route("/surveys/", None, _role(*HR)),
    "surveys.new": Route("/surveys/new", None, _role(*HR)),
    "surveys.detail": Route("/surveys/{}", "wave", _role_then(HR, _exists)),
    "surveys.answer": Route("/surveys/{}/answer", "wave", _answer),
    "culture.index": Route("/culture/", None, _role(Role.HR, Role.ADMIN, Role.MANAGER)),
    "impact.estimate": Route("/culture/impact", None, _role(*CULTURE)),
    "culture_exports.export_csv": Route(
        "/culture/export.csv.zip?wave={}", "wave", _role_then(CULTURE, _export)
    ),
    "culture_exports.export_xlsx": Route(
        "/culture/export.xlsx?wave={}", "wave", _role_then(CULTURE, _export)
    ),
    "cohorts.browse": Route("/cohorts/", None, _role(Role.EMPLOYEE)),
    "cohorts.detail": Route("/cohorts/{}", "cohort", _cohort_team),
    "composer.page": Route("/cohorts/{}/composer", "cohort", _role_then(HR, _exists)),
    "cohort_settings.edit": Route("/cohorts/{}/edit", "cohort", _role_then(HR, _exists)),
    "enrolment.people": Route("/cohorts/{}/people", "cohort", _role_then(HR, _exists)),
    "roster.upload": Route("/cohorts/{}/import", "cohort", _role_then(HR, _exists)),
    "set_health.for_cohort": Route("/cohorts/{}/health", "cohort", _role_then(HR, _exists)),
    "sets.new": Route("/cohorts/{}/sets/new", "cohort", _role_then(HR, _exists)),
    "sets.detail": Route("/sets/{}", "set", _sees("set")),
    # "Set health (a set's facilitator and HR)": members see their set, not these figures.
    "set_health.for_set": Route("/sets/{}/health", "set", _runs("set", members=HIDDEN)),
    "sets.schedule": Route("/sets/{}/sessions/new", "set", _runs("set")),
    # "A programme lead/HR" changes a cohort's sets; the set's facilitator also takes members out.
    "set_changes.facilitator": Route("/sets/{}/facilitator", "set", _role_then(HR, _exists)),
    "set_changes.close": Route("/sets/{}/close", "set", _role_then(HR, _exists)),
    "set_changes.move": Route("/memberships/{}/move", "membership", _role_then(HR, _going_on)),
    "set_changes.remove": Route("/memberships/{}/remove", "membership", _removable),
    "feedback.answer": Route("/sessions/{}/feedback", "session", _answers),
    "sessions.screen": Route("/sessions/{}", "session", _sees("session")),
    "calendar.session_file": Route("/sessions/{}.ics", "session", _sees("session")),
    "sessions.edit": Route("/sessions/{}/edit", "session", _runs("session")),
    "sessions.edit_agenda": Route("/sessions/{}/agenda", "session", _runs("session")),
    "sessions.edit_hot_seat": Route("/hot-seats/{}/edit", "hot_seat", _runs("hot_seat")),
    "ventures.board": Route("/ventures/{}", "venture", _board("venture")),
    "ventures.export": Route("/ventures/{}/export.csv", "venture", _board("venture")),
    "ventures.activity": Route("/ventures/{}/activity", "venture", _board("venture")),
    "lineage.page": Route("/ventures/{}/lineage", "venture", _board("venture")),
    "ventures.new_card": Route(
        "/ventures/{}/experiments/new", "venture", _board("venture", Oracle.works_on)
    ),
    "ventures.settings": Route("/ventures/{}/settings", "venture", _board("venture", Oracle.owns)),
    "ventures.card": Route("/experiments/{}", "experiment", _board("experiment")),
    "ventures.edit_card": Route(
        "/experiments/{}/edit", "experiment", _board("experiment", Oracle.works_on)
    ),
    "expertise.tags": Route("/expertise/tags", None, _role(*HR)),
    "expertise.profile": Route("/account/expertise", None, _role(Role.GUEST, Role.FACILITATOR)),
    "expertise.finder": Route("/entrepreneurs", None, _role(Role.EMPLOYEE)),
    "hacks.index": Route("/hacks", None, _ok),
    "hacks.figures": Route("/hacks/figures", None, _role(*HR)),
    "hacks.detail": Route("/hacks/{}", "hack", _in_hack()),
    "hacks.calendar_file": Route("/hacks/{}.ics", "hack", _in_hack(accepted_only=True)),
    "hacks.from_hot_seat": Route(
        "/hot-seats/{}/hack", "hot_seat", _role_then((Role.EMPLOYEE,), _own_challenge)
    ),
    "hacks.from_card": Route(
        "/experiments/{}/hack",
        "experiment",
        _role_then((Role.EMPLOYEE,), _board("experiment", Oracle.works_on)),
    ),
    "reviews.queue": Route("/reviews", None, _role(*MANAGER)),
    "reviews.board": Route("/ventures/{}/review", "venture", _review("venture")),
    "reviews.card": Route("/experiments/{}/review", "experiment", _review("experiment")),
    "jobs.detail": Route("/jobs/{}", "job", _job),
    "jobs.download": Route("/jobs/{}/file", "job", _job_file),
    # A token, never the session cookie, opens the API (the token walk sends tokens).
    "api.culture_behaviour": Route("/api/v1/culture/behaviour", None, _no_token, True),
    "api.culture_scores": Route("/api/v1/culture/scores", None, _no_token, True),
    "api.openapi": Route("/api/v1/openapi.json", None, _ok, True),
    "auth.sign_in": Route("/sign-in", None, _sign_in, True),
    "auth.forgot_password": Route("/forgot-password", None, _ok, True),
    "auth.reset_link_sent": Route("/forgot-password/sent", None, _ok, True),
    "two_step.code": Route("/sign-in/code", None, _second_step, True),
    "two_step.set_up_at_sign_in": Route("/sign-in/two-step/set-up", None, _second_step, True),
    "health.healthz": Route("/healthz", None, _ok, True),
    "health.readyz": Route("/readyz", None, _ok, True),
    # Off (404) for everyone until a scraper's token or network is configured.
    "metrics.metrics": Route("/metrics", None, lambda o, p, t: HIDDEN, True),
    # Single sign-on: off (404) for everyone until INTRAPRENEUR_OIDC_ISSUER is set.
    "sso.start": Route("/sign-in/oidc", None, lambda o, p, t: HIDDEN, True),
    "sso.callback": Route("/sign-in/oidc/callback", None, lambda o, p, t: HIDDEN, True),
    # SAML: off (404) for everyone until INTRAPRENEUR_SAML_IDP_METADATA is set.
    "saml.start": Route("/sign-in/saml", None, lambda o, p, t: HIDDEN, True),
    "saml.metadata": Route("/sign-in/saml/metadata", None, lambda o, p, t: HIDDEN, True),
    "assets.plotly": Route("/static/vendor/plotly/plotly.min.js", None, _ok, True),
}

# Routes whose URL carries a secret that stands in for a person: walked by the token test
# with every token of the world, since a session cookie changes nothing there.
TOKEN_ROUTES = {
    "calendar.feed",
    "surveys.answer_by_token",
    "auth.accept_invitation",
    "auth.reset_password",
}
# GET routes left out of the walk, each with the reason.
NOT_WALKED = {"static": "files of the app itself (CSS, JS), nobody's data"}


def ids_of(world: World, kind: str) -> dict[str, int | str]:
    """The name and URL value of every seeded object of a kind."""
    match kind:
        case "venture":
            return {name: facts.id for name, facts in world.ventures.items()}
        case "experiment":
            return {name: card_id for name, (card_id, _) in world.experiments.items()}
        case "set":
            return {name: facts.id for name, facts in world.sets.items()}
        case "session":
            return {name: facts.id for name, facts in world.sessions.items()}
        case "membership":
            return {name: stay_id for name, (stay_id, _, _) in world.memberships.items()}
        case "hot_seat":
            return {name: seat_id for name, (seat_id, _) in world.hot_seats.items()}
        case "cohort":
            return dict(world.cohorts)
        case "programme":
            return dict(world.programmes)
        case "wave":
            return {name: facts.id for name, facts in world.waves.items()}
        case "job":
            return {str(job_id): job_id for job_id in world.jobs}
        case "person":
            return {name: facts.id for name, facts in world.persons.items()}
        case "format":
            return {value: value for value in SessionFormat}
        case "hack":
            return {name: hack_id for name, (hack_id, _, _, _) in world.hacks.items()}
    raise AssertionError(kind)


def urls(world: World, route: Route) -> list[tuple[str, str | None]]:
    """(URL, object name) for every object of the route's kind, and one that does not exist."""
    if route.kind is None:
        return [(route.path, None)]
    named = [(route.path.format(value), name) for name, value in ids_of(world, route.kind).items()]
    if route.kind == "venture":
        # The deleted venture's id names nothing now: it is walked as a missing one.
        named = [(url, None if world.ventures[n].deleted else n) for url, n in named]
    missing = "no-such-format" if route.kind == "format" else MISSING_ID
    return [*named, (route.path.format(missing), None)]


def expected(oracle: Oracle, persona: str, route: Route, target: str | None) -> Expect:
    if not route.public and not oracle.acts(persona):
        return LOGIN
    return route.rule(oracle, persona, target)
