"""Email through a transactional outbox.

``queue`` adds an ``OutgoingEmail`` row to the current transaction, so the email
exists exactly when the change that caused it was committed; no request ever waits
for the SMTP server. ``deliver_due`` (a background job, or ``intrapreneur mail
deliver``) sends the due rows: each is claimed first so that two senders never send
the same row, and marked sent in its own transaction as soon as the server has
accepted it. A failure waits longer each time (``BACKOFF``), then the row is marked
failed, visible to ``intrapreneur mail status``, and kept for ``mail retry``.

The one duplicate this cannot rule out is a sender that dies after the server took
the message and before the row was marked sent: the row becomes due again when its
claim runs out, and goes out a second time with the same Message-ID, which mail
systems use to drop such repeats.

The modules, each importing only those before it: ``headers`` (one-line subjects and
addresses), ``rendering`` (the bodies), ``preferences`` (optional kinds), ``urls`` (links),
``discreet`` (kinds decided at send time and forgotten afterwards), ``outbox`` (queuing,
claiming, counts), ``notices`` (one sentence of news and a link, queued), ``retries``
(back-off, failing for good), ``smtp`` (the message and the connection), ``delivery``
(sending the due rows). This package names what callers use.
"""

from intrapreneur.core.mail.delivery import DeliveryReport, deliver_due
from intrapreneur.core.mail.discreet import discreet
from intrapreneur.core.mail.headers import UnsafeHeader, one_line
from intrapreneur.core.mail.notices import queue_notice
from intrapreneur.core.mail.outbox import (
    CLAIM_LEASE,
    CalendarPart,
    claim_due,
    counts,
    due_count,
    failed_emails,
    oldest_due_at,
    queue,
)
from intrapreneur.core.mail.preferences import OPTIONAL_KINDS, preference_of, save_preferences
from intrapreneur.core.mail.retries import BACKOFF, MAX_ATTEMPTS, retry_failed
from intrapreneur.core.mail.urls import absolute_url, preferences_url, site_domain, site_root

__all__ = [
    "BACKOFF",
    "CLAIM_LEASE",
    "MAX_ATTEMPTS",
    "OPTIONAL_KINDS",
    "CalendarPart",
    "DeliveryReport",
    "UnsafeHeader",
    "absolute_url",
    "claim_due",
    "counts",
    "deliver_due",
    "discreet",
    "due_count",
    "failed_emails",
    "oldest_due_at",
    "one_line",
    "preference_of",
    "preferences_url",
    "queue",
    "queue_notice",
    "retry_failed",
    "save_preferences",
    "site_domain",
    "site_root",
]
