"""Ventures, their experiment boards, managers' reviews and in-app notifications."""

from __future__ import annotations

from intrapreneur.privacy.registry import Col, Erase, Link, Table

VENTURE_READERS = (
    "the team and their managers; members of sets it is shared into; every employee when "
    "shared with the organisation (never guests)"
)
VENTURE_RECORD = "as long as the venture (the organisation's learning)"

TABLES = (
    Table(
        "venture",
        purpose="An idea pursued by a team: its problem, customer and stage.",
        who_sees=VENTURE_READERS,
        kept=VENTURE_RECORD,
        links=(Link("created_by_id", "by"),),
        notes="The team's text, kept when one of them is erased (erasure is refused while "
        "the person is a venture's only owner).",
        columns={
            "id": Col("a number"),
            "title": Col("its title"),
            "problem": Col("the problem"),
            "customer": Col("the customer"),
            "stage": Col("stage"),
            "visibility": Col("who may see it"),
            "created_by_id": Col("who started it"),
            "archived_at": Col("when archived"),
            "updated_at": Col("last change"),
            "version": Col("edit guard (a number)"),
            "created_at": Col("when"),
        },
    ),
    Table(
        "venture_member",
        purpose="Who is on a venture's team, as owner or member.",
        who_sees=VENTURE_READERS,
        kept=VENTURE_RECORD,
        links=(Link("person_id", "about"),),
        columns={
            "id": Col("a number"),
            "venture_id": Col("the venture"),
            "person_id": Col("the team member"),
            "role": Col("owner or member"),
        },
    ),
    Table(
        "venture_share",
        purpose="Which sets a venture is shared into (no personal data).",
        who_sees=VENTURE_READERS,
        kept=VENTURE_RECORD,
        personal=False,
        columns={
            "id": Col("a number"),
            "venture_id": Col("the venture"),
            "set_id": Col("the set"),
        },
    ),
    Table(
        "experiment",
        purpose="A test card and its learning card: what was tested, how, what was learned "
        "and decided, and the time and money asked for.",
        who_sees=VENTURE_READERS,
        kept=VENTURE_RECORD,
        links=(Link("owner_id", "by"),),
        columns={
            "id": Col("a number"),
            "venture_id": Col("the venture"),
            "parent_id": Col("the experiment it grew from"),
            "owner_id": Col("its owner"),
            "title": Col("its title", Erase.WRITTEN, "experiments"),
            "hypothesis": Col("the hypothesis", Erase.WRITTEN, "experiments"),
            "assumption": Col("riskiest assumption kind"),
            "test": Col("the test", Erase.WRITTEN, "experiments"),
            "metric": Col("the metric", Erase.WRITTEN, "experiments"),
            "success_criterion": Col("the success criterion", Erase.WRITTEN, "experiments"),
            "starts_on": Col("first day"),
            "ends_on": Col("last day"),
            "cost_requested": Col("money asked for"),
            "days_requested": Col("time asked for"),
            "evidence": Col("evidence strength"),
            "column": Col("board column"),
            "moved_at": Col("when it last moved"),
            "observation": Col("what was observed", Erase.WRITTEN, "experiments"),
            "learning": Col("what was learned", Erase.WRITTEN, "experiments"),
            "evidence_data": Col("the evidence", Erase.WRITTEN, "experiments"),
            "decision": Col("persevere, pivot, kill or test again"),
            "decided_at": Col("when decided"),
            "budget_approved": Col("whether the request was approved"),
            "review_requested_at": Col("since when it waits for a review"),
            "updated_at": Col("last change"),
            "version": Col("edit guard (a number)"),
            "created_at": Col("when"),
        },
    ),
    Table(
        "review",
        purpose="A manager's support or challenge on a card or board, with the budget "
        "decision: the reviews figures and the venture's history.",
        who_sees=VENTURE_READERS,
        kept=VENTURE_RECORD,
        links=(Link("reviewer_id", "by"),),
        columns={
            "id": Col("a number"),
            "venture_id": Col("the venture"),
            "experiment_id": Col("the card"),
            "reviewer_id": Col("the reviewer"),
            "tag": Col("support or challenge: kept for the figures"),
            "comment": Col("the comment", Erase.WRITTEN, "reviews"),
            "budget_approved": Col("the budget decision"),
            "approved_cost": Col("money approved"),
            "approved_days": Col("time approved"),
            "waited_seconds": Col("how long the card waited"),
            "created_at": Col("when"),
        },
    ),
    Table(
        "notification",
        purpose="In-app messages to one person (a review of their card, a digest).",
        who_sees="the person",
        kept="deleted the set period after they were written",
        retention_rule="notifications",
        links=(Link("person_id", "about"),),
        delete_rows_on_erasure=True,
        columns={
            "id": Col("a number"),
            "person_id": Col("the reader"),
            "venture_id": Col("the venture it is about"),
            "text": Col("the message (may name others)"),
            "link": Col("where it leads"),
            "read_at": Col("when read"),
            "dedupe_key": Col("written-once key"),
            "created_at": Col("when"),
        },
    ),
)
