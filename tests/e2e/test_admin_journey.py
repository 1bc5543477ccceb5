"""The IT owner's journey in a real browser: what the directory holds for a person, a dry run
of the directory sync followed to its result, and the audit log that recorded it all."""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from playwright.sync_api import Locator, Page, expect

from intrapreneur.cli.demo_data import EMPLOYEES
from intrapreneur.cli.demo_directory import ROLE_GROUPS
from intrapreneur.identity.local_directory import group_dn
from intrapreneur.identity.models import Role
from tests.e2e.journey import Journey, sign_in

if TYPE_CHECKING:
    from tests.e2e.conftest import DemoSite

HR_GROUP = group_dn(ROLE_GROUPS[Role.HR])


def _refused_sign_in(page: Page, journey: Journey, base_url: str) -> None:
    page.goto(f"{base_url}/sign-in")
    form = page.get_by_role("region", name="Your account")
    form.get_by_label("Username or email address").fill("amira")
    form.get_by_label("Password", exact=True).fill("not-her-password")
    form.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert")).to_contain_text("The username or password is not right.")
    journey.look("sign-in-refused")


def _look_up(page: Page, username: str) -> Locator:
    section = page.get_by_role("region", name="Look up a person")
    section.get_by_label("Username").fill(username)
    section.get_by_role("button", name="Look up").click()
    return page.get_by_role("region", name="Look up a person")


def _check_directory_entry(page: Page, journey: Journey) -> None:
    page.get_by_role("banner").get_by_role("link", name="Directory").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Directory sync")
    journey.look("directory")

    found = _look_up(page, "hokafor")
    expect(page).to_have_url(re.compile(r"/admin/directory\?username=hokafor$"))
    expect(found.get_by_text("uid=hokafor,", exact=False)).to_be_visible()
    expect(found.get_by_text("Helen Okafor", exact=True)).to_be_visible()
    expect(found.get_by_text(HR_GROUP)).to_be_visible()
    expect(found.get_by_text("employee, HR (manager follows from having reports)")).to_be_visible()
    journey.look("directory-entry")

    missing = _look_up(page, "nobody-here")
    expect(missing.get_by_role("status")).to_contain_text("has the username 'nobody-here'.")
    journey.look("directory-entry-missing")


def _dry_run(page: Page, journey: Journey) -> str:
    page.get_by_role("button", name="Dry run").click()
    # Jobs run at once in the test settings: the job's page already shows the outcome.
    expect(page.get_by_role("heading", level=1)).to_have_text(
        re.compile(r"Job #\d+: directory-sync")
    )
    status = page.get_by_role("status").filter(has_text="Succeeded")
    expect(status).to_contain_text("✓ Succeeded")
    # The site was synced from this directory, and a dry run changes nothing anyway.
    expect(status).to_contain_text(
        f"Would change: 0 created, 0 updated, 0 reactivated, 0 deactivated "
        f"({len(EMPLOYEES)} people in the directory)."
    )
    expect(status).to_contain_text("dry_run: True")
    journey.look("sync-dry-run")
    job = re.search(r"/jobs/(\d+)$", page.url)
    assert job is not None
    page.get_by_role("banner").get_by_role("link", name="Directory").click()
    run = page.get_by_role("row").filter(has=page.get_by_role("link", name=f"#{job.group(1)}"))
    expect(run).to_contain_text("dry run")
    expect(run).to_contain_text("✓ Succeeded")
    return job.group(1)


def _events(page: Page, action: str) -> Locator:
    page.get_by_label("Kind of event").select_option(action)
    page.get_by_role("button", name="Filter").click()
    expect(page).to_have_url(re.compile(rf"action={re.escape(action)}"))
    return page.get_by_role("table", name="Events, newest first").locator("tbody tr")


def _read_audit_log(page: Page, journey: Journey, job: str) -> None:
    page.get_by_role("banner").get_by_role("link", name="Audit log").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Audit log")
    journey.look("audit-log")

    requested = _events(page, "directory.sync_requested").first
    expect(requested).to_contain_text("Amira Haddad")
    expect(requested).to_contain_text(f"job: {job}")
    expect(requested).to_contain_text("dry_run: True")
    journey.look("audit-log-sync")

    signed_in = _events(page, "auth.signed_in").first
    expect(signed_in).to_contain_text("Amira Haddad")
    expect(signed_in).to_contain_text("method: directory")
    # A known person's refused sign-in is about them (the log keeps no typed name).
    refused = _events(page, "auth.sign_in_refused").filter(has_text="reason: wrong_password").first
    expect(refused).to_contain_text("Amira")


@pytest.mark.e2e
def test_admin_checks_a_directory_entry_runs_a_dry_run_and_reads_the_audit_log(
    page: Page, demo_site: DemoSite, screenshot_dir: Path
) -> None:
    journey = Journey("admin", page, screenshot_dir)
    _refused_sign_in(page, journey, demo_site.base_url)
    sign_in(page, demo_site.base_url, "amira", demo_site.employee_password)
    expect(page.get_by_role("heading", level=1)).to_have_text("Hello, Amira Haddad")
    journey.look("home")

    _check_directory_entry(page, journey)
    job = _dry_run(page, journey)
    _read_audit_log(page, journey, job)
