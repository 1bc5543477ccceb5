"""Survey instruments: the shipped instrument, scoring, answer checks and refused files."""

from __future__ import annotations

from pathlib import Path

import pytest

from intrapreneur import create_app
from intrapreneur.culture.instruments import (
    Instrument,
    InstrumentError,
    available,
    load,
    parse,
    shipped_dir,
)
from intrapreneur.settings import ConfigError
from tests.conftest import environment_for

SHIPPED_KEY = "intrapreneur-culture@1.0"

# Line numbers in the refusal tests below count lines of this text.
SMALL = """\
id: small
version: "2"
title: Small pulse
scale:
  min: 1
  max: 5
  labels: {1: Strongly disagree, 5: Strongly agree}
dimensions:
  - id: experimentation
    name: Experimentation
  - id: autonomy
    name: Autonomy
items:
  - id: exp1
    text: I try ideas out early.
    dimension: experimentation
  - id: exp2
    text: Ideas must be perfect before anyone tries them.
    dimension: experimentation
    reverse: true
  - id: aut1
    text: I decide how I do my work.
    dimension: autonomy
"""


def refusal(text: str) -> InstrumentError:
    with pytest.raises(InstrumentError) as caught:
        parse(text, "small.yaml")
    return caught.value


@pytest.fixture
def small() -> Instrument:
    return parse(SMALL)


def test_the_shipped_instrument_covers_the_culture_the_programme_aims_to_change() -> None:
    instrument = load(shipped_dir() / "intrapreneur-culture-1.0.yaml")

    assert instrument.key == SHIPPED_KEY
    assert (instrument.scale_min, instrument.scale_max) == (1, 5)
    assert instrument.scale_labels[1] == "Strongly disagree"
    assert instrument.scale_labels[5] == "Strongly agree"
    assert {dimension.id for dimension in instrument.dimensions} >= {
        "experimentation",
        "psychological_safety",
        "autonomy",
        "challenging_status_quo",
        "cross_boundary_collaboration",
        "management_support",
    }
    for dimension in instrument.dimensions:
        items = instrument.items_of(dimension.id)
        assert dimension.name and dimension.description
        assert 3 <= len(items) <= 5, dimension.id
        assert any(item.reverse for item in items), dimension.id
        assert not all(item.reverse for item in items), dimension.id


def test_the_shipped_file_carries_its_licence() -> None:
    text = (shipped_dir() / "intrapreneur-culture-1.0.yaml").read_text(encoding="utf-8")

    assert "# Licence: written for the Intrapreneur project" in text


def test_the_shipped_files_are_what_available_offers_without_an_extra_dir() -> None:
    assert list(available()) == [SHIPPED_KEY]


def test_reverse_items_are_mirrored_on_the_scale(small: Instrument) -> None:
    assert small.scored("exp1", 4) == 4
    assert small.scored("exp2", 4) == 2  # 1 + 5 - 4
    assert small.scored("exp2", 1) == 5


def test_scores_are_the_mean_of_each_dimensions_scored_answers(small: Instrument) -> None:
    # experimentation: exp1 = 5, exp2 = 2 reversed to 4 → (5 + 4) / 2 = 4.5
    assert small.scores({"exp1": 5, "exp2": 2, "aut1": 3}) == {
        "experimentation": 4.5,
        "autonomy": 3.0,
    }


def test_a_dimension_with_no_answered_item_gets_no_score(small: Instrument) -> None:
    assert small.scores({"exp2": 5}) == {"experimentation": 1.0}
    assert small.scores({}) == {}


def test_scores_refuse_answers_that_do_not_fit(small: Instrument) -> None:
    with pytest.raises(ValueError, match="must be between 1 and 5, not 6"):
        small.scores({"exp1": 6})


def test_answer_errors_name_each_problem_in_a_sentence(small: Instrument) -> None:
    assert small.answer_errors({"exp1": 0, "exp2": "4", "aut9": 3, "aut1": True}) == [
        "The answer to item “exp1” must be between 1 and 5, not 0.",
        "The answer to item “exp2” must be a whole number, not '4'.",
        "Item “aut9” is not part of small@2.",
        "The answer to item “aut1” must be a whole number, not True.",
    ]


def test_skipped_items_are_not_errors(small: Instrument) -> None:
    assert small.answer_errors({"exp1": 1}) == []


def test_items_of_keeps_file_order_and_refuses_an_unknown_dimension(small: Instrument) -> None:
    assert [item.id for item in small.items_of("experimentation")] == ["exp1", "exp2"]
    with pytest.raises(KeyError):
        small.items_of("experimentaton")


def test_optional_fields_have_defaults(small: Instrument) -> None:
    assert small.description == ""
    assert small.dimensions[0].description == ""
    assert small.items[0].reverse is False
    assert small.scale_labels == {1: "Strongly disagree", 5: "Strongly agree"}


@pytest.mark.parametrize(
    ("old", "new", "line", "reason"),
    [
        ("  max: 5\n", "  max: 20\n", 6, "unknown scale 1–20: a scale has 2 to 11 points"),
        ("  max: 5\n", "  max: 1\n", 6, "unknown scale 1–1"),
        ("  min: 1\n", "  min: -1\n", 5, "unknown scale -1–5: 'min' is below 0"),
        ("  max: 5\n", "  max: five\n", 6, "unknown scale: 'five' is not a whole number"),
        ("{1: Strongly disagree,", "{7: Strongly disagree,", 7, "unknown scale: label 7"),
        (
            "scale:\n  min: 1\n  max: 5\n  labels: {1: Strongly disagree, 5: Strongly agree}\n",
            "scale: percent\n",
            4,
            "unknown scale: expected 'min' and 'max' whole numbers with optional 'labels', "
            "not 'percent'",
        ),
        ("  - id: exp2\n", "  - id: exp1\n", 17, "item 'exp1' appears twice"),
        ("  - id: autonomy\n", "  - id: experimentation\n", 11, "appears twice"),
        (
            "    dimension: autonomy\n",
            "    dimension: autonomie\n",
            23,
            "missing dimension 'autonomie': item 'aut1' names it",
        ),
        (
            "  - id: aut1\n    text: I decide how I do my work.\n    dimension: autonomy\n",
            "",
            11,
            "dimension 'autonomy' has no items",
        ),
        ("    reverse: true\n", "    revers: true\n", 20, "unknown key 'revers' in item 2"),
        (
            "    text: I try ideas out early.\n",
            "    text: '  '\n",
            15,
            "text of item 'exp1' is empty",
        ),
        ("title: Small pulse\n", "", 1, "the instrument has no 'title'"),
        ('version: "2"\n', "version: 2.0\n", 2, "'version' must be text (put it in quotes)"),
        ("    reverse: true\n", "    reverse: maybe\n", 20, "must be true or false"),
        ("title: Small pulse\n", "title: Small pulse\ntitle: Again\n", 4, "'title' appears twice"),
        ("  - id: aut1\n", "  - id: aut 1\n", 21, "may hold only letters, digits"),
        ("items:\n", "items:\nitemz:\n", 14, "unknown key 'itemz' in the instrument"),
    ],
)
def test_a_refused_file_names_the_line_and_the_reason(
    old: str, new: str, line: int, reason: str
) -> None:
    assert old in SMALL
    error = refusal(SMALL.replace(old, new, 1))

    assert (error.source, error.line) == ("small.yaml", line)
    assert reason in error.reason
    assert str(error).startswith(f"small.yaml, line {line}: ")


def test_a_mistyped_key_gets_a_suggestion() -> None:
    error = refusal(SMALL.replace("    dimension: autonomy\n", "    dimensoin: autonomy\n"))

    assert error.reason == "unknown key 'dimensoin' in item 3; did you mean 'dimension'?"


def test_an_empty_list_of_items_is_refused() -> None:
    error = refusal(SMALL[: SMALL.index("items:")] + "items: []\n")

    assert (error.line, error.reason) == (13, "'items' is empty")


def test_a_file_that_is_not_yaml_is_refused_where_the_parser_gave_up() -> None:
    error = refusal(SMALL.replace("    name: Autonomy\n", "    name: [Autonomy\n"))

    assert error.line == 13
    assert error.reason.startswith("not valid YAML: expected ',' or ']'")
    assert error.reason.endswith("(while parsing a flow sequence on line 12)")


def test_python_tags_are_refused_not_run() -> None:
    error = refusal(
        SMALL.replace("title: Small pulse", "title: !!python/object/apply:os.getcwd []")
    )

    assert error.reason.startswith("not valid YAML: could not determine a constructor")
    assert error.line == 3


def test_an_empty_file_is_refused() -> None:
    error = refusal("# nothing here\n")

    assert (error.line, error.reason) == (None, "the file is empty")
    assert str(error) == "small.yaml: the file is empty"


def test_a_file_in_a_legacy_encoding_is_refused_at_its_line(tmp_path: Path) -> None:
    path = tmp_path / "small-2.yaml"
    path.write_bytes(SMALL.replace("I decide", "Ich entscheide über").encode("latin-1"))

    with pytest.raises(InstrumentError) as caught:
        load(path)

    assert (caught.value.line, caught.value.reason) == (22, "not UTF-8 text; save it as UTF-8")


def test_available_adds_an_organisations_own_instruments(tmp_path: Path) -> None:
    (tmp_path / "small-2.yaml").write_text(SMALL, encoding="utf-8")
    (tmp_path / "notes.txt").write_text("not an instrument", encoding="utf-8")

    found = available(tmp_path)

    assert sorted(found) == [SHIPPED_KEY, "small@2"]
    assert found["small@2"].title == "Small pulse"


def test_two_files_with_the_same_key_are_refused_naming_both(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text(SMALL, encoding="utf-8")
    (tmp_path / "b.yaml").write_text("# a copy\n" + SMALL, encoding="utf-8")

    with pytest.raises(InstrumentError) as caught:
        available(tmp_path)

    assert caught.value.source == str(tmp_path / "b.yaml")
    assert caught.value.line == 2
    assert caught.value.reason.startswith(
        f"instrument 'small@2' is already defined in {tmp_path / 'a.yaml'}"
    )


def test_a_copy_of_a_shipped_instrument_is_refused(tmp_path: Path) -> None:
    shipped = shipped_dir() / "intrapreneur-culture-1.0.yaml"
    (tmp_path / "ours.yaml").write_text(shipped.read_text(encoding="utf-8"), encoding="utf-8")

    with pytest.raises(InstrumentError, match=f"already defined in {shipped}"):
        available(tmp_path)


def test_a_missing_extra_dir_is_refused_rather_than_ignored(tmp_path: Path) -> None:
    with pytest.raises(InstrumentError, match="no such survey instrument directory"):
        available(tmp_path / "nowhere")


def test_the_documented_example_loads_and_scores_as_documented() -> None:
    guide = Path(__file__).parents[2] / "docs" / "survey-instruments.md"
    example = guide.read_text(encoding="utf-8").split("```yaml\n", 1)[1].split("```", 1)[0]

    instrument = parse(example)

    assert instrument.key == "team-pulse@1.0"
    assert instrument.scores({"exp1": 6, "exp2": 3}) == {"experimentation": 5.5}


# -- texts in several languages ----------------------------------------------------------------

MULTILINGUAL = SMALL.replace(
    "title: Small pulse\n", "title:\n  en: Small pulse\n  de: Kleine Befragung\n", 1
).replace(
    "    text: I try ideas out early.\n",
    "    text: {en: I try ideas out early., de: Ich probiere Ideen früh aus.}\n",
    1,
)


def test_a_text_per_language_is_read_and_english_fills_the_gaps() -> None:
    instrument = parse(MULTILINGUAL)

    assert instrument.title == "Small pulse"  # the fields hold the English
    assert instrument.languages == {"en"}  # German lacks most texts
    german = instrument.in_language("de")
    assert german.title == "Kleine Befragung"
    assert german.items[0].text == "Ich probiere Ideen früh aus."
    assert german.items[1].text == instrument.items[1].text  # English where German is missing
    assert german.scale_labels == instrument.scale_labels
    missing = instrument.missing_texts({"en", "de"})
    assert ("item", "exp1") not in {(place.kind, place.of) for place, _ in missing}
    assert [(place.kind, place.of) for place, _ in missing] == [
        ("scale label", "1"),
        ("scale label", "5"),
        ("dimension name", "experimentation"),
        ("dimension name", "autonomy"),
        ("item", "exp2"),
        ("item", "aut1"),
    ]
    assert instrument.missing_texts({"en"}) == []


def test_the_shipped_instrument_is_complete_in_four_languages() -> None:
    instrument = load(shipped_dir() / "intrapreneur-culture-1.0.yaml")

    assert instrument.languages == {"en", "de", "fr", "es"}
    french = instrument.in_language("fr")
    assert french.scale_labels[5] == "Tout à fait d'accord"
    assert french.dimensions[0].name == "Expérimentation"
    assert french.items[0].id == instrument.items[0].id  # scored alike
    assert french.items[0].reverse == instrument.items[0].reverse


@pytest.mark.parametrize(
    ("old", "new", "line", "reason"),
    [
        ("  de: Kleine Befragung\n", "  de: ''\n", 5, "'title' in 'de' is empty"),
        ("  en: Small pulse\n", "", 4, "'title' has no English text ('en')"),
        ("  de: Kleine Befragung\n", "  German: Kleine\n", 5, "'German' as a language"),
        ("  de: Kleine Befragung\n", "  de: [Kleine]\n", 5, "'title' in 'de' must be text"),
    ],
)
def test_a_malformed_translation_is_refused_at_its_line(
    old: str, new: str, line: int, reason: str
) -> None:
    assert old in MULTILINGUAL
    with pytest.raises(InstrumentError) as caught:
        parse(MULTILINGUAL.replace(old, new, 1), "small.yaml")

    assert caught.value.line == line
    assert reason in caught.value.reason


def test_a_malformed_instrument_stops_the_start_naming_file_and_line(tmp_path: Path) -> None:
    folder = tmp_path / "instruments"
    folder.mkdir()
    (folder / "small-2.yaml").write_text(
        MULTILINGUAL.replace("  en: Small pulse\n", "", 1), encoding="utf-8"
    )
    environment = environment_for(
        f"sqlite:///{tmp_path / 'start.db'}",
        tmp_path,
        INTRAPRENEUR_SURVEY_INSTRUMENTS_DIR=str(folder),
    )

    with pytest.raises(ConfigError) as caught:
        create_app(environment, TESTING=True)

    assert str(caught.value) == (
        f"survey instrument refused: {folder / 'small-2.yaml'}, line 4: "
        "'title' has no English text ('en'), which every text needs"
    )
