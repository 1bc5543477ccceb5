"""The page's clock, stopped while a test reads a timer.

``page.clock.install()`` fakes the page's time but lets it flow with the real one: on a busy
machine a second passed between starting a segment timer and running the clock five seconds
on, and the timer read 14:54 where the test expected 14:55. Inside ``stopped_clock`` the
page's time moves only when the test calls ``page.clock.run_for``. Outside it, time flows
again: axe-core (``Journey.look``) waits on ``setTimeout``, which a stopped clock never fires.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

from playwright.sync_api import Page

# pause_at refuses a moment the page's clock has already passed, and the clock flows while
# the call travels to the browser: a minute ahead is safe however slow the machine.
AHEAD = timedelta(minutes=1)


@contextmanager
def stopped_clock(page: Page) -> Iterator[None]:
    """Stop the clock ``page.clock.install()`` put in the page; start it again afterwards."""
    now = datetime.fromtimestamp(page.evaluate("Date.now()") / 1000, UTC)
    page.clock.pause_at(now + AHEAD)
    try:
        yield
    finally:
        page.clock.resume()
