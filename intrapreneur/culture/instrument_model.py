"""Survey instruments as the product holds them: scale, dimensions and items, each text in
one or more languages, and the scoring of answers. ``instruments`` reads them from YAML.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field, replace
from functools import cached_property
from statistics import fmean
from typing import TypeGuard

from flask_babel import gettext as _

# Ids end up in URLs, form field names and JSON keys; "@" is kept free for Instrument.key.
IDENTIFIER = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")
# A text's language: a language code as the product's catalogues name them ("de", "pt_BR").
LANGUAGE = re.compile(r"[a-z]{2,3}(_[A-Z]{2})?")
# Every text is written in English at least: the language the product is written in, and
# the one a reader gets where their own is missing.
SOURCE_LANGUAGE = "en"
MIN_SCALE_POINTS = 2
MAX_SCALE_POINTS = 11


@dataclass(frozen=True)
class TextPlace:
    """Where a text sits in an instrument: ``kind`` is "title", "description",
    "instructions", "scale label", "dimension name", "dimension description" or "item";
    ``of`` the scale point or the dimension or item id it belongs to (None for the
    instrument's own title, description and instructions)."""

    kind: str
    of: str | None = None


@dataclass(frozen=True)
class Dimension:
    id: str
    name: str
    description: str


@dataclass(frozen=True)
class Item:
    id: str
    text: str
    dimension: str
    reverse: bool


@dataclass(frozen=True)
class Instrument:
    id: str
    version: str
    title: str
    description: str
    scale_min: int
    scale_max: int
    scale_labels: dict[int, str]
    dimensions: tuple[Dimension, ...]
    items: tuple[Item, ...]
    instructions: str = ""
    # Every text by language, the English included; the fields above hold the English.
    texts: Mapping[TextPlace, Mapping[str, str]] = field(
        default_factory=dict, compare=False, repr=False
    )

    @property
    def key(self) -> str:
        """How a wave refers to the exact version it used."""
        return f"{self.id}@{self.version}"

    @cached_property
    def _items_by_id(self) -> dict[str, Item]:
        return {item.id: item for item in self.items}

    @cached_property
    def languages(self) -> frozenset[str]:
        """The languages every text of the instrument is written in."""
        written = {language for by in self.texts.values() for language in by}
        return frozenset(
            language for language in written if all(language in by for by in self.texts.values())
        ) | {SOURCE_LANGUAGE}

    def missing_texts(self, languages: Collection[str]) -> list[tuple[TextPlace, str]]:
        """Each text lacking in one of ``languages``, in the file's order, by language."""
        return [
            (place, language)
            for language in sorted(set(languages) - {SOURCE_LANGUAGE})
            for place, by_language in self.texts.items()
            if language not in by_language
        ]

    def in_language(self, language: str) -> Instrument:
        """The instrument as a reader of ``language`` sees it: every text in that language,
        English where it has none. Ids, scale and scoring are the same: answers given in
        any language are stored and scored alike."""
        if language not in self._translated:
            self._translated[language] = self._written_in(language)
        return self._translated[language]

    @cached_property
    def _translated(self) -> dict[str, Instrument]:
        return {}

    def _written_in(self, language: str) -> Instrument:
        def text(kind: str, of: str | None, english: str) -> str:
            return self.texts.get(TextPlace(kind, of), {}).get(language, english)

        return replace(
            self,
            title=text("title", None, self.title),
            description=text("description", None, self.description),
            instructions=text("instructions", None, self.instructions),
            scale_labels={
                point: text("scale label", str(point), label)
                for point, label in self.scale_labels.items()
            },
            dimensions=tuple(
                replace(
                    dimension,
                    name=text("dimension name", dimension.id, dimension.name),
                    description=text("dimension description", dimension.id, dimension.description),
                )
                for dimension in self.dimensions
            ),
            items=tuple(
                replace(item, text=text("item", item.id, item.text)) for item in self.items
            ),
        )

    def items_of(self, dimension: str) -> tuple[Item, ...]:
        if dimension not in {declared.id for declared in self.dimensions}:
            raise KeyError(f"{self.key} has no dimension {dimension!r}")
        return tuple(item for item in self.items if item.dimension == dimension)

    def answer_errors(self, answers: Mapping[str, int]) -> list[str]:
        """One sentence per problem; an item left out is not a problem (people may skip one)."""
        return [
            problem
            for item_id, value in answers.items()
            if (problem := self._answer_error(item_id, value))
        ]

    def _answer_error(self, item_id: str, value: object) -> str | None:
        if item_id not in self._items_by_id:
            return _(
                "Item “%(item)s” is not part of %(instrument)s.", item=item_id, instrument=self.key
            )
        if not is_whole_number(value):
            return _(
                "The answer to item “%(item)s” must be a whole number, not %(value)s.",
                item=item_id,
                value=repr(value),
            )
        if not self.scale_min <= value <= self.scale_max:
            return _(
                "The answer to item “%(item)s” must be between %(low)s and %(high)s, "
                "not %(value)s.",
                item=item_id,
                low=self.scale_min,
                high=self.scale_max,
                value=value,
            )
        return None

    def scored(self, item_id: str, value: int) -> int:
        """The value as it counts towards its dimension: reverse items are mirrored."""
        if self._items_by_id[item_id].reverse:
            return self.scale_min + self.scale_max - value
        return value

    def scores(self, answers: Mapping[str, int]) -> dict[str, float]:
        """Mean scored answer per dimension; a dimension with no answered item is left out."""
        if problems := self.answer_errors(answers):
            raise ValueError(" ".join(problems))
        scored_by_dimension: dict[str, list[int]] = {}
        for item_id, value in answers.items():
            dimension = self._items_by_id[item_id].dimension
            scored_by_dimension.setdefault(dimension, []).append(self.scored(item_id, value))
        return {
            dimension.id: fmean(scored_by_dimension[dimension.id])
            for dimension in self.dimensions
            if dimension.id in scored_by_dimension
        }


class InstrumentError(ValueError):
    """An instrument file refused, with the file, the line (when known) and the reason."""

    def __init__(self, source: str, line: int | None, reason: str) -> None:
        where = source if line is None else f"{source}, line {line}"
        super().__init__(f"{where}: {reason}")
        self.source = source
        self.line = line
        self.reason = reason


def is_whole_number(value: object) -> TypeGuard[int]:
    # bool is an int subclass, but True is neither an answer nor a scale point.
    return isinstance(value, int) and not isinstance(value, bool)
