"""Survey waves: who was asked, and pseudonymous answers no table links to a person."""

from __future__ import annotations

from intrapreneur.privacy.registry import NOT_PERSONAL, Col, Link, Table

SURVEY_RECORD = "as long as the survey's figures"

TABLES = (
    Table(
        "survey_wave",
        purpose="One round of the culture survey, and who created it.",
        who_sees="HR",
        kept=SURVEY_RECORD,
        links=(Link("created_by_id", "by"),),
        columns={
            "id": Col("a number"),
            "title": Col("its title"),
            "instrument_key": Col("questionnaire and version"),
            "opens_on": Col("first day"),
            "closes_on": Col("last day"),
            "closed_at": Col("when closed"),
            "created_by_id": Col("who created it"),
            "reminders_sent": Col("reminder rounds sent (about the wave, not people)"),
            "created_at": Col("when"),
        },
    ),
    Table(
        "wave_cohort",
        purpose=NOT_PERSONAL,
        who_sees="HR",
        kept=SURVEY_RECORD,
        personal=False,
        columns={"wave_id": Col("the wave"), "cohort_id": Col("a cohort it covers")},
    ),
    Table(
        "survey_invitation",
        purpose="Who was asked, and in which group: the response rates' denominators. "
        "Nothing in it says whether they answered.",
        who_sees="HR (as counts)",
        kept=SURVEY_RECORD,
        links=(Link("person_id", "about"),),
        columns={
            "id": Col("a number"),
            "wave_id": Col("the wave"),
            "person_id": Col("who was asked"),
            "group": Col("participant or comparison"),
            "token_hash": Col("hash of the personal link's secret", secret=True),
            "created_at": Col("when"),
        },
    ),
    Table(
        "survey_response",
        purpose="Answers without the person: a keyed pseudonym and snapshots of where the "
        "respondent worked. Only code holding the pseudonym key can find a person's "
        "answers (their own subject access export does).",
        who_sees="nobody as such; HR, managers and the API see figures over the minimum group size",
        kept=SURVEY_RECORD + "; comments blanked the set period after the wave closed",
        retention_rule="survey_comments",
        notes="Erasure leaves responses as they are: they name no one, and once the person "
        "row is erased nothing computes the pseudonym from their identity again (the key "
        "derives it from the person's number, which then names only a tombstone).",
        columns={
            "id": Col("a number"),
            "wave_id": Col("the wave"),
            "pseudonym": Col("keyed pseudonym (HMAC), the same in every wave"),
            "department_id": Col("department when answering"),
            "cohort_id": Col("cohort when answering"),
            "group": Col("participant or comparison"),
            "business_unit_id": Col("business unit when answering"),
            "country": Col("country when answering"),
            "location": Col("site when answering"),
            "answers": Col("scale points per item"),
            "comment": Col("free-text comment (shown only in groups of ten or more)"),
            "submitted_on": Col("day answered (no time of day)"),
            "language": Col("language the questionnaire was shown in"),
        },
    ),
    Table(
        "survey_score",
        purpose="Per-dimension scores of a response, for aggregation (no person).",
        who_sees="nobody as such; figures as above",
        kept=SURVEY_RECORD,
        personal=False,
        columns={
            "id": Col("a number"),
            "response_id": Col("the response"),
            "wave_id": Col("the wave"),
            "dimension": Col("the dimension"),
            "score": Col("the score"),
            "department_id": Col("department snapshot"),
            "cohort_id": Col("cohort snapshot"),
            "group": Col("group snapshot"),
        },
    ),
    Table(
        "privacy_rules",
        purpose="The minimum group sizes in force, and who set them.",
        who_sees="administrators",
        kept="always",
        links=(Link("updated_by_id", "by"),),
        columns={
            "id": Col("a number"),
            "min_group": Col("minimum group"),
            "min_group_comments": Col("minimum group for comments"),
            "updated_by_id": Col("who changed them"),
            "updated_at": Col("when"),
        },
    ),
    Table(
        "survey_publication",
        purpose=NOT_PERSONAL + " (a closed wave's released figures)",
        who_sees="HR, managers, the API",
        kept=SURVEY_RECORD,
        personal=False,
        columns={
            "id": Col("a number"),
            "wave_id": Col("the wave"),
            "min_group": Col("rules used"),
            "min_group_comments": Col("rules used"),
            "earlier": Col("earlier waves it was decided with"),
            "comment_departments": Col("departments whose comments may be shown"),
            "alphas": Col("reliability per dimension"),
            "distributions": Col("bands per dimension"),
            "created_at": Col("when"),
        },
    ),
    Table(
        "published_figure",
        purpose=NOT_PERSONAL + " (one group's released figure)",
        who_sees="HR, managers, the API",
        kept=SURVEY_RECORD,
        personal=False,
        columns={
            name: Col("a coordinate or figure")
            for name in [
                "id",
                "publication_id",
                "width",
                "department",
                "cohort",
                "group",
                "business_unit",
                "country",
                "location",
                "department_id",
                "cohort_id",
                "scope",
                "respondents",
                "hidden",
                "means",
                "answers",
                "hidden_dimensions",
            ]
        },
    ),
)
