"""Who may see what, written from the README's rules (and SECURITY.md's table), never from
the app: nothing here imports ``permissions.py``, ``visible_to`` or any query of the app.

Where the README is silent, the rule chosen is marked "Silent:" with the reason.
"""

from __future__ import annotations

from datetime import date, timedelta

from intrapreneur.experiments.models import TeamRole, Visibility
from intrapreneur.identity.models import Role
from tests.access.facts import Owner, World

ANONYMOUS = "anonymous"
# Whoever holds a live API token: an HR system reading the culture figures.
API_CLIENT = "api client"
# Each a real person (but the first), signed in with the session cookie a sign-in leaves.
PERSONAS = (
    ANONYMOUS,
    "member_a",  # an employee in set A
    "outsider",  # an employee in no set
    "leaver",  # left set A ten days ago
    "facilitator_a",
    "manager_with",  # member_a's manager: member_a is on venture teams
    "manager_without",  # the outsider's manager: on no team
    "hr",
    "admin",
    "guest_a",  # a guest entrepreneur in set A
    "guest_ended",  # a guest in set A whose access ended yesterday (account still active)
    "gone",  # an employee (and admin) in set A, switched off by the directory sync
    "sponsor",  # an employee in no set who sponsors the programme: the portfolio
)


class Oracle:
    def __init__(self, world: World) -> None:
        self.world = world
        self.today = world.today

    # -- people --------------------------------------------------------------------------

    def acts(self, person: str) -> bool:
        """Signed in and still allowed to be: the account is on and a guest's access has
        not ended (README: refused "after their access end date", "and any open session")."""
        if person == ANONYMOUS:
            return False
        facts = self.world.persons[person]
        ended = facts.access_ends_on is not None and self.today > facts.access_ends_on
        return facts.active and not ended

    def has(self, person: str, *roles: Role) -> bool:
        return self.acts(person) and not self.world.persons[person].roles.isdisjoint(roles)

    def employee(self, person: str) -> bool:
        return self.acts(person) and not self.world.persons[person].guest

    def above(self, person: str, other: str) -> bool:
        """Is ``person`` anywhere above ``other`` in the management chain?"""
        seen: set[str] = set()
        manager = self.world.persons[other].manager
        while manager is not None and manager not in seen:
            if manager == person:
                return True
            seen.add(manager)
            manager = self.world.persons[manager].manager
        return False

    # -- sets and sessions -----------------------------------------------------------------

    def member_on(self, person: str, set_name: str, day: date) -> bool:
        return any(
            stay.person == person and stay.joined <= day and (stay.left is None or stay.left > day)
            for stay in self.world.sets[set_name].stays
        )

    def ever_member(self, person: str, set_name: str) -> bool:
        return any(stay.person == person for stay in self.world.sets[set_name].stays)

    def facilitates(self, person: str, set_name: str) -> bool:
        return self.world.sets[set_name].facilitator == person

    def in_set(self, person: str, set_name: str) -> bool:
        """A member today, or its facilitator: "Members see their own set only"."""
        return self.member_on(person, set_name, self.today) or self.facilitates(person, set_name)

    def sees_set(self, person: str, set_name: str) -> bool:
        return self.acts(person) and (self.has(person, Role.HR) or self.in_set(person, set_name))

    def manages_set(self, person: str, set_name: str) -> bool:
        """Sessions are run by the facilitator (and HR, who runs the programme)."""
        return self.has(person, Role.HR) or (
            self.acts(person) and self.facilitates(person, set_name)
        )

    def stay_goes_on(self, membership: str) -> bool:
        """A stay that has not ended: one that can still be moved or ended."""
        stay = self.world.memberships[membership][2]
        return stay.left is None or stay.left > self.today

    def answers_about(self, person: str, session: str) -> bool:
        """ "Each member who was in the set at the time" gives feedback on a session, whether
        still in the set or not; nobody else."""
        facts = self.world.sessions[session]
        return self.acts(person) and self.member_on(person, facts.set, facts.starts_at.date())

    def feedback_released(self, session: str) -> bool:
        """Facilitators and HR see a session's answers once answering has closed (7 days after
        it starts) and at least 3 members answered."""
        facts = self.world.sessions[session]
        answers = sum(1 for on, _ in self.world.feedback.values() if on == session)
        closed = facts.starts_at + timedelta(days=7) <= self.world.now
        return not facts.cancelled and closed and answers >= 3

    def sees_session(self, person: str, name: str) -> bool:
        """A set's sessions, as its page shows them: a feed holds "only the sessions of the
        sets that person is in today or facilitates (a set they left drops out)"."""
        return self.sees_set(person, self.world.sessions[name].set)

    def sees_set_name(self, person: str, set_name: str) -> bool:
        """Silent: a set's name is shown to whoever sees the set, to the facilitators of its
        cohort (whose cohort page lists its sets) and to its former members (whose own
        commitments say which set they were made in)."""
        if self.sees_set(person, set_name):
            return True
        cohort = self.world.sets[set_name].cohort
        return self.acts(person) and (
            self.ever_member(person, set_name)
            or any(
                facts.cohort == cohort and facts.facilitator == person
                for facts in self.world.sets.values()
            )
        )

    def sees_cohort(self, person: str, cohort: str) -> bool:
        """Silent: a cohort's name is a label of the programme. Every employee sees the cohorts
        open for enrolment ("employees browse open cohorts"); HR, admins, managers and sponsors
        see all (their dashboards and the portfolio filter by cohort); otherwise only those
        enrolled in it or in one of its sets. Guests learn only the cohort of their own set."""
        if not self.acts(person):
            return False
        if self.has(person, Role.HR, Role.ADMIN, Role.MANAGER, Role.SPONSOR):
            return True
        if self.employee(person) and cohort in self.world.open_cohorts:
            return True
        in_its_sets = any(
            facts.cohort == cohort
            and (self.ever_member(person, name) or facts.facilitator == person)
            for name, facts in self.world.sets.items()
        )
        return in_its_sets or person in self.world.enrolled.get(cohort, set())

    # -- ventures ----------------------------------------------------------------------------

    def on_team(self, person: str, venture: str) -> bool:
        return self.acts(person) and person in self.world.ventures[venture].team

    def owns(self, person: str, venture: str) -> bool:
        return self.on_team(person, venture) and (
            self.world.ventures[venture].team[person] is TeamRole.OWNER
        )

    def reviews(self, person: str, venture: str) -> bool:
        """Managers review the boards of their direct and indirect reports, not their own."""
        facts = self.world.ventures[venture]
        return (
            self.has(person, Role.MANAGER)
            and not facts.deleted
            and person not in facts.team
            and any(self.above(person, member) for member in facts.team)
        )

    def sees_venture(self, person: str, venture: str) -> bool:
        """private: the team and the managers above anyone on it; shared with sets: also the
        members and facilitators of those sets; organisation: also every employee. Guests
        never see organisation-wide content unless it is shared into their set; HR has no
        special access."""
        facts = self.world.ventures[venture]
        if facts.deleted or not self.acts(person):
            return False
        if person in facts.team:
            return True
        guest = self.world.persons[person].guest
        if not guest and any(self.above(person, member) for member in facts.team):
            return True
        if facts.visibility is not Visibility.PRIVATE and any(
            self.in_set(person, set_name) for set_name in facts.shares
        ):
            return True
        return facts.visibility is Visibility.ORGANISATION and not guest

    def works_on(self, person: str, venture: str) -> bool:
        return self.on_team(person, venture) and not self.world.ventures[venture].archived

    # -- surveys, jobs -----------------------------------------------------------------------

    def invited(self, person: str, wave: str) -> bool:
        return self.acts(person) and person in self.world.waves[wave].tokens

    def sees_wave(self, person: str, wave: str) -> bool:
        """Silent: a wave's title is HR's (surveys), the dashboards' readers' (HR, admins,
        managers) and its invitees' (My surveys)."""
        return self.has(person, Role.HR, Role.ADMIN, Role.MANAGER) or self.invited(person, wave)

    def requested(self, person: str, job_id: int) -> bool:
        return self.acts(person) and self.world.jobs[job_id][0] == person

    # -- content -----------------------------------------------------------------------------

    def may_see_on(self, person: str, owner: Owner, endpoint: str) -> bool:
        """``may_see``, and what one page shows by its nature."""
        deleted = owner.kind == "venture" and self.world.ventures[owner.name].deleted
        if endpoint in ("admin.audit_log", "admin.export_audit_log") and deleted:
            # Silent: the audit log (and its export) keeps the title of a deleted venture
            # (nothing else does) for its admins; it names no venture that still exists.
            return self.has(person, Role.ADMIN)
        return self.may_see(person, owner)

    def in_hack(self, person: str, name: str) -> bool:
        _, requester, entrepreneur, _ = self.world.hacks[name]
        return self.acts(person) and person in (requester, entrepreneur)

    def may_see(self, person: str, owner: Owner) -> bool:
        """May a page shown to ``person`` carry the text of ``owner``?"""
        name, world = owner.name, self.world
        if person == API_CLIENT:  # the suppressed figures of closed waves, by wave title
            return owner.kind == "wave" and not world.waves[name].open
        match owner.kind:
            case "programme":
                return any(self.sees_cohort(person, cohort) for cohort in world.cohorts)
            case "programme_description":  # Silent: the programme team's own notes.
                return self.has(person, Role.HR)
            case "cohort":
                return self.sees_cohort(person, name)
            case "set":
                return self.sees_set_name(person, name)
            case "session":
                return self.sees_session(person, name)
            case "hot_seat" | "question":
                return self.sees_set(person, world.sessions[world.hot_seats[name][1]].set)
            case "action":  # the set's record, and the owner's own "My commitments"
                _, owner_name, session = world.actions[name]
                return self.sees_set(person, world.sessions[session].set) or (
                    self.acts(person) and person == owner_name
                )
            case "feedback":  # its author, and the set's facilitator and HR once released
                session, author = world.feedback[name]
                if person == author and self.answers_about(person, session):
                    return True
                runs = self.manages_set(person, world.sessions[session].set)
                return runs and self.feedback_released(session)
            case "venture":
                return self.sees_venture(person, name)
            case "experiment":
                return self.sees_venture(person, world.experiments[name][1])
            case "review":  # Silent: a review is part of the board it comments on.
                return self.sees_venture(person, world.reviews[name])
            case "wave":
                return self.sees_wave(person, name)
            case "job_file":  # "for the person who asked only"
                return any(
                    self.requested(person, job_id)
                    for job_id, (_, has_file) in world.jobs.items()
                    if has_file
                )
            case "api_client":
                return self.has(person, Role.ADMIN)
            case "hack":  # "only the people in it": its requester and entrepreneur
                return self.in_hack(person, name)
        raise AssertionError(f"no rule for {owner}")
