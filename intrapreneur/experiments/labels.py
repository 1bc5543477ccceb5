"""What people read for the stored values of a board: columns, stages, assumptions, evidence,
decisions, team roles and review tags, in the reader's language. The values stored (and
used in links, filters and the audit log) stay as they are; only these labels translate.

Lazy, so each is translated when a page or an email is written, for its reader.
"""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l

from intrapreneur.experiments.models import (
    Assumption,
    Column,
    Decision,
    Evidence,
    ReviewTag,
    Stage,
    TeamRole,
)

COLUMN_LABELS = {
    Column.BACKLOG: _l("Backlog"),
    Column.DESIGNING: _l("Designing"),
    Column.RUNNING: _l("Running"),
    Column.ANALYSING: _l("Analysing"),
    Column.DECIDED: _l("Decided"),
}
STAGE_LABELS = {
    Stage.IDEA: _l("Idea"),
    Stage.PROBLEM: _l("Problem"),
    Stage.SOLUTION: _l("Solution"),
    Stage.BUSINESS: _l("Business"),
    Stage.SCALE: _l("Scale"),
}
ASSUMPTION_LABELS = {
    Assumption.DESIRABILITY: _l("Desirability"),
    Assumption.FEASIBILITY: _l("Feasibility"),
    Assumption.VIABILITY: _l("Viability"),
}
EVIDENCE_LABELS = {
    Evidence.SAY: _l("what people say"),
    Evidence.DO: _l("what people do"),
    Evidence.PAY: _l("what people pay"),
}
# Ordered by strength, weakest first: the board says how strong each is.
EVIDENCE_WITH_STRENGTH = {
    Evidence.SAY: _l("what people say (weakest)"),
    Evidence.DO: _l("what people do (stronger)"),
    Evidence.PAY: _l("what people pay (strongest)"),
}
# Lower case, as they read inside a sentence ("Decided: pivot"); capitalised in headings.
DECISION_LABELS = {
    Decision.PERSEVERE: _l("persevere"),
    Decision.PIVOT: _l("pivot"),
    Decision.KILL: _l("kill"),
    Decision.TEST_AGAIN: _l("test again"),
}
ROLE_LABELS = {TeamRole.OWNER: _l("owner"), TeamRole.MEMBER: _l("member")}
TAG_LABELS = {ReviewTag.SUPPORT: _l("support"), ReviewTag.CHALLENGE: _l("challenge")}
# What happened, for the activity and history tables (the audit log keeps the action's
# name; anything not named here is shown as it is stored).
ACTION_LABELS = {
    "experiment.created": _l("created"),
    "experiment.updated": _l("updated"),
    "experiment.moved": _l("moved"),
    "experiment.decided": _l("decided"),
    "experiment.handed_over": _l("handed over"),
    "venture.created": _l("created"),
    "venture.updated": _l("updated"),
    "venture.archived": _l("archived"),
    "venture.exported": _l("exported"),
    "venture.shared": _l("shared"),
    "venture.member_added": _l("member added"),
    "venture.member_changed": _l("member's role changed"),
    "venture.member_removed": _l("member removed"),
}
DETAIL_LABELS = {
    "added": _l("added"),
    "decision": _l("decision"),
    "fields": _l("fields"),
    "filters": _l("filters"),
    "format": _l("format"),
    "moved_from": _l("moved from"),
    "owner_id": _l("owner id"),
    "parent_id": _l("parent id"),
    "person_id": _l("person id"),
    "removed": _l("removed"),
    "role": _l("role"),
    "title": _l("title"),
    "to": _l("to"),
    "visibility": _l("visibility"),
}


def for_templates() -> dict[str, Any]:
    """The labels as the templates use them (globals: macros imported without the page's
    context, such as the events table, read them too)."""
    return {
        "column_labels": COLUMN_LABELS,
        "stage_labels": STAGE_LABELS,
        "assumption_labels": ASSUMPTION_LABELS,
        "evidence_labels": EVIDENCE_LABELS,
        "decision_labels": DECISION_LABELS,
        "role_labels": ROLE_LABELS,
        "tag_labels": TAG_LABELS,
        "action_labels": ACTION_LABELS,
        "detail_labels": DETAIL_LABELS,
    }
