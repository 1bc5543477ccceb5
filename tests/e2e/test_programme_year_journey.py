"""A programme through its year, as the programme lead (HR) runs it in a real browser: the
cohort edited (one edit refused, with the reasons next to the fields), 30 requests accepted
at once, a list of 50 people imported (a dry run with a wrong line first), a set's
facilitator replaced, a member moved to another set, a guest's access extended then
revoked. Then the day's scheduled jobs run as the site's cron would, and the emails all of
this caused arrive on the site's SMTP server: the manager's digest, the survey reminders,
and the news of every decision, to the right people."""

from __future__ import annotations

import re
from datetime import date, timedelta
from email.message import EmailMessage
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from playwright.sync_api import Locator, Page, expect
from sqlalchemy import select

from intrapreneur.experiments.models import Experiment, Notification
from intrapreneur.extensions import db
from intrapreneur.learning import queries
from intrapreneur.learning.models import EnrolmentStatus, LearningSet, SetMembership
from tests import formats
from tests.e2e.journey import Journey, extend_then_revoke_guest, sign_in
from tests.e2e.year_setup import (
    ACCEPTED_AT_ONCE,
    CAPACITY,
    CARD,
    COHORT,
    GUEST,
    GUEST_EMAIL,
    IMPORTED,
    MEMBERS,
    MOVER,
    NORTH,
    REQUESTS,
    RESPONDENT,
    SOUTH,
    VENTURE,
    WAVE,
    cohort,
    email,
    inbox,
    name,
    only,
    person,
    set_up_the_year,
    starting,
    subjects,
    survey_links,
    text,
    username,
)

if TYPE_CHECKING:
    from tests.e2e.conftest import DemoSite

NEW_CAPACITY = MEMBERS + ACCEPTED_AT_ONCE + IMPORTED  # exactly the places the year needs
WRONG_LINE = 17  # of the people in the file; a typo makes its username unknown
OLD_FACILITATOR, NEW_FACILITATOR = name("facilitator", 1), name("facilitator", 3)


def _statuses(kind: str, count: int) -> list[EnrolmentStatus | None]:
    """Where each of these employees stands in the cohort (None: never asked)."""
    cohort_id = cohort().id
    enrolments = [
        queries.enrolment_of(cohort_id, person(username(kind, number)).id)
        for number in range(1, count + 1)
    ]
    return [enrolment.status if enrolment else None for enrolment in enrolments]


def _open_the_cohort(page: Page) -> None:
    page.get_by_role("banner").get_by_role("link", name="Programmes").click()
    page.get_by_role("link", name=COHORT, exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(COHORT)


def _edit_the_cohort(page: Page, journey: Journey, site: DemoSite) -> None:
    """Fewer places than accepted participants, and an end before the sets' sessions, are
    refused next to their fields; then more places, a later end, and enrolment closed."""
    _open_the_cohort(page)
    journey.look("cohort")
    page.get_by_role("link", name=f"Edit {COHORT}").click()
    journey.look("edit-cohort")
    page.get_by_label("Places").fill("5")
    page.get_by_label("Ends on").fill((date.today() + timedelta(days=5)).isoformat())
    page.get_by_role("button", name="Save changes").click()
    expect(page.get_by_label("Places")).to_have_accessible_description(
        re.compile(f"Error: Participants already accepted: {MEMBERS}. The cohort needs at least")
    )
    expect(page.get_by_label("Ends on")).to_have_accessible_description(
        re.compile(rf"Error: Sessions scheduled after this date: 2, the first on .*\({NORTH}\)")
    )
    journey.look("edit-cohort-refused")
    with site.database():
        refused = cohort()
        assert (refused.capacity, refused.ends_on) == (
            CAPACITY,
            date.today() + timedelta(days=300),
        )

    ends_on = date.today() + timedelta(days=335)
    page.get_by_label("Places").fill(str(NEW_CAPACITY))
    page.get_by_label("Ends on").fill(ends_on.isoformat())
    page.get_by_label("Open for employees to request a place").uncheck()
    page.get_by_role("button", name="Save changes").click()
    expect(page.get_by_role("status")).to_contain_text(f"{COHORT} saved.")
    expect(page.get_by_text(f"{MEMBERS} of {NEW_CAPACITY}")).to_be_visible()
    journey.look("cohort-edited")
    with site.database():
        edited = cohort()
        assert (edited.capacity, edited.ends_on, edited.enrolment_open) == (
            NEW_CAPACITY,
            ends_on,
            False,
        )


def _accept_thirty(page: Page, journey: Journey, site: DemoSite) -> None:
    for number in range(1, ACCEPTED_AT_ONCE + 1):
        page.get_by_label(f"Choose {name('requester', number)}", exact=True).check()
    journey.look("requests-chosen")
    page.get_by_role("button", name="Accept selected").click()
    accepted = ", ".join(name("requester", n) for n in range(1, ACCEPTED_AT_ONCE + 1))
    expect(page.get_by_role("status")).to_contain_text(f"Accepted: {accepted}.")
    taken = MEMBERS + ACCEPTED_AT_ONCE
    expect(page.get_by_text(f"{taken} of {NEW_CAPACITY}")).to_be_visible()
    journey.look("requests-accepted")
    with site.database():
        undecided = REQUESTS - ACCEPTED_AT_ONCE
        assert (
            _statuses("requester", REQUESTS)
            == [EnrolmentStatus.ACCEPTED] * ACCEPTED_AT_ONCE
            + [EnrolmentStatus.REQUESTED] * undecided
        )


def _roster(path: Path, wrong_line: int | None) -> Path:
    """The list as HR's spreadsheet saves it: a header, then usernames and email addresses
    by turns; ``wrong_line`` (a person's number) misspelt."""
    lines = ["username"]
    for number in range(1, IMPORTED + 1):
        login = username("importee", number) if number % 2 else email("importee", number)
        lines.append(login.replace("importee", "importe") if number == wrong_line else login)
    path.write_text("\r\n".join(lines) + "\r\n", encoding="utf-8")
    return path


def _preview(page: Page, roster: Path) -> None:
    page.get_by_label("CSV file").set_input_files(roster)
    page.get_by_role("button", name="Preview").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        f"Preview of the import into {COHORT}"
    )


def _lines_not_enrolling(page: Page) -> Locator:
    """The preview's lines whose outcome is not 'will enrol'."""
    lines = page.get_by_role("table", name="Every line of the file").locator("tbody tr")
    expect(lines).to_have_count(IMPORTED)
    return lines.filter(has_not=page.get_by_role("cell", name="will enrol", exact=True))


def _import_fifty(page: Page, journey: Journey, site: DemoSite, tmp_path: Path) -> None:
    page.get_by_role("link", name="Import a list (CSV)").click()
    journey.look("import")
    _preview(page, _roster(tmp_path / "pathfinder-with-a-typo.csv", WRONG_LINE))
    expect(page.get_by_role("alert")).to_contain_text("Nothing can be imported")
    expect(page.get_by_role("button", name=re.compile("^Enrol all"))).to_have_count(0)
    wrong = _lines_not_enrolling(page)
    expect(wrong).to_have_count(1)
    # The header is line 1: the person numbered WRONG_LINE is on the next line.
    expect(wrong.locator("td")).to_have_text(
        [str(WRONG_LINE + 1), username("importe", WRONG_LINE), "—", "unknown person"]
    )
    journey.look("import-dry-run-refused")
    with site.database():
        assert _statuses("importee", IMPORTED) == [None] * IMPORTED  # nothing saved

    page.get_by_role("link", name="Upload another file").click()
    _preview(page, _roster(tmp_path / "pathfinder.csv", None))
    expect(page.get_by_text(f"Every line enrols someone: {IMPORTED} people, of")).to_be_visible()
    expect(_lines_not_enrolling(page)).to_have_count(0)
    journey.look("import-dry-run")
    page.get_by_role("button", name=f"Enrol all {IMPORTED}").click()
    expect(page.get_by_role("status")).to_contain_text(f"Enrolled from the file: {IMPORTED}.")
    expect(page.get_by_text(f"{NEW_CAPACITY} of {NEW_CAPACITY}")).to_be_visible()
    journey.look("imported")
    with site.database():
        assert _statuses("importee", IMPORTED) == [EnrolmentStatus.ACCEPTED] * IMPORTED
        assert queries.accepted_count(cohort().id) == NEW_CAPACITY


def _replace_the_facilitator(page: Page, journey: Journey, site: DemoSite) -> None:
    page.get_by_role("region", name="Sets").get_by_role("link", name=NORTH).click()
    expect(page.get_by_text(f"facilitated by {OLD_FACILITATOR}")).to_be_visible()
    journey.look("set")
    page.get_by_role("link", name="change the facilitator").click()
    journey.look("facilitator")
    page.get_by_label("Facilitator").select_option(label=NEW_FACILITATOR)
    page.get_by_role("button", name="Make facilitator").click()
    expect(page.get_by_role("status")).to_contain_text(f"{NEW_FACILITATOR} now facilitates {NORTH}")
    expect(page.get_by_text(f"facilitated by {NEW_FACILITATOR}")).to_be_visible()
    journey.look("facilitator-replaced")
    with site.database():
        north = db.session.scalars(select(LearningSet).where(LearningSet.name == NORTH)).one()
        assert north.facilitator.username == username("facilitator", 3)


def _move_a_member(page: Page, journey: Journey, site: DemoSite) -> None:
    mover = name("member", MOVER)
    page.get_by_role("link", name=f"Move {mover} to another set").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Move {mover} to another set")
    journey.look("move")
    page.get_by_label("Move to").select_option(label=SOUTH)
    page.get_by_role("button", name="Move", exact=True).click()
    expect(page.get_by_role("status")).to_contain_text(f"{mover} moved from {NORTH} to {SOUTH}")
    expect(page.get_by_role("heading", name="Members (4 of 8)")).to_be_visible()
    journey.look("moved")
    today = date.today()
    with site.database():
        member = person(username("member", MOVER))
        stays = db.session.execute(
            select(LearningSet.name, SetMembership.joined_on, SetMembership.left_on)
            .join(LearningSet, LearningSet.id == SetMembership.set_id)
            .where(SetMembership.person_id == member.id)
            .order_by(SetMembership.id)
        ).all()
        # The stay in North is kept, ended today; the one in South begins today.
        assert [tuple(stay) for stay in stays] == [
            (NORTH, cohort().starts_on, today),
            (SOUTH, today, None),
        ]


def _extend_then_revoke_the_guest(page: Page, journey: Journey, site: DemoSite) -> None:
    extend_then_revoke_guest(page, journey, GUEST)
    with site.database():
        assert person(GUEST_EMAIL).access_ends_on == date.today() - timedelta(days=1)


def _run_the_days_jobs(site: DemoSite) -> None:
    """What the scheduler runs each morning, then the outbox's sender."""
    assert "review-digests succeeded" in site.command("scheduled", "review-digests")
    assert "survey-reminders succeeded" in site.command("scheduled", "survey-reminders")
    delivered = site.command("mail", "deliver")
    assert "0 to be retried later, 0 failed for good." in delivered


def _assert_the_digest(site: DemoSite, received: dict[str, list[EmailMessage]]) -> None:
    digest = only(
        received[email("manager", 1)], "A card has waited more than 5 days for your review"
    )
    body = text(digest)
    assert f"‘{CARD}’ ({VENTURE}, {name('report', 1)})" in body
    assert "Waiting for 7 days. Overdue: it has waited more than 5 days." in body
    with site.database():
        card = db.session.scalars(select(Experiment).where(Experiment.title == CARD)).one()
        manager = person(username("manager", 1))
        notices = db.session.scalars(
            select(Notification.text).where(
                Notification.person_id == manager.id, Notification.dedupe_key.is_not(None)
            )
        ).all()
    assert f"{site.base_url}/experiments/{card.id}/review" in body
    assert notices == ["A card has waited more than 5 days for your review"]  # in the app too


def _assert_the_survey_reminders(site: DemoSite, received: dict[str, list[EmailMessage]]) -> None:
    links = survey_links(site)
    respondent = email("member", RESPONDENT)
    assert respondent in links and len(links) == 2 * MEMBERS  # participants and comparison
    reminder = f"Reminder: the survey “{WAVE}” closes on"
    for address, link in links.items():
        # Everyone was invited with their own link when the wave opened.
        assert link in text(only(received[address], f"Survey: {WAVE}")), address
        reminders = starting(received[address], reminder)
        if address == respondent:
            assert reminders == [], "the invitee who answered was reminded"
            continue
        assert len(reminders) == 1, address
        body = text(reminders[0])
        # Their own link, and nobody else's.
        assert link in body, address
        assert re.findall(r"/surveys/answer/\S+", body) == [link.split(site.base_url)[1]]


def _assert_the_decisions_reached_their_people(received: dict[str, list[EmailMessage]]) -> None:
    place = f"Your place in {COHORT}"
    for kind, count in (("requester", ACCEPTED_AT_ONCE), ("importee", IMPORTED)):
        for number in range(1, count + 1):
            assert subjects(received[email(kind, number)]).count(place) == 1, (kind, number)
    for number in range(ACCEPTED_AT_ONCE + 1, REQUESTS + 1):  # still undecided: no news
        assert place not in subjects(received[email("requester", number)])

    starts = only(received[email("facilitator", 3)], f"You now facilitate {NORTH}")
    assert f"taking over from {OLD_FACILITATOR}" in text(starts)
    stops = only(received[email("facilitator", 1)], f"You no longer facilitate {NORTH}")
    assert f"{NEW_FACILITATOR} now facilitates {NORTH} in {COHORT} instead of you." in text(stops)
    # Their calendars follow: North's session leaves the old facilitator's, joins the new's.
    assert len(starting(received[email("facilitator", 1)], f"Cancelled: {NORTH}, ")) == 1
    (invited,) = starting(received[email("facilitator", 3)], f"{NORTH}, ")
    assert f"You now facilitate {NORTH}: this session is added" in text(invited)

    # The member who moved: North's session off their calendar, South's on it.
    moved = received[email("member", MOVER)]
    assert len(starting(moved, f"Cancelled: {NORTH}, ")) == 1
    (joined,) = starting(moved, f"{SOUTH}, ")
    assert f"You have moved to {SOUTH}: this session is added" in text(joined)

    guest = received[GUEST_EMAIL]
    extended = only(guest, "Your access to Intrapreneur has been extended")
    later = date.today() + timedelta(days=60)
    assert f"it now lasts until {formats.long_day(later)}" in text(extended)
    only(guest, "Your access to Intrapreneur has ended")


def _assert_leavers_are_not_sent_to_the_set_page(
    site: DemoSite, received: dict[str, list[EmailMessage]]
) -> None:
    """Whoever leaves North today may no longer open its page (only its members, its
    facilitator and HR may): the cancellation of its session must not send them there, as
    the email telling the old facilitator of the change does not."""
    with site.database():
        north = db.session.scalars(select(LearningSet).where(LearningSet.name == NORTH)).one()
        page_of_north = f"{site.base_url}/sets/{north.id}"
    for leaver in (email("facilitator", 1), email("member", MOVER)):
        (cancelled,) = starting(received[leaver], f"Cancelled: {NORTH}, ")
        html = cancelled.get_body(("html",)).get_content()
        assert page_of_north not in text(cancelled) + html, f"{leaver}: a link they cannot open"


@pytest.mark.e2e
def test_programme_lead_runs_a_programme_through_its_year(
    page: Page, demo_site: DemoSite, screenshot_dir: Path, tmp_path: Path
) -> None:
    site = demo_site
    set_up_the_year(site)
    journey = Journey("year", page, screenshot_dir)
    sign_in(page, site.base_url, "hokafor", site.employee_password)

    _edit_the_cohort(page, journey, site)
    _accept_thirty(page, journey, site)
    _import_fifty(page, journey, site, tmp_path)
    _replace_the_facilitator(page, journey, site)
    _move_a_member(page, journey, site)
    _extend_then_revoke_the_guest(page, journey, site)

    _run_the_days_jobs(site)
    received = inbox(site)
    _assert_the_digest(site, received)
    _assert_the_survey_reminders(site, received)
    _assert_the_decisions_reached_their_people(received)
    _assert_leavers_are_not_sent_to_the_set_page(site, received)
