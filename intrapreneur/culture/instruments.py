"""Survey instruments: versioned definitions (scale, dimensions, items) read from YAML files.

A published instrument never changes: new wording or new scoring is a new version, and a wave
keeps the version it used, so its scores stay comparable with other waves of that version.
The format and the rules checked here are described in docs/survey-instruments.md.
"""

from __future__ import annotations

import difflib
from collections.abc import Collection, Iterator, Mapping
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml
from yaml.constructor import SafeConstructor
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from intrapreneur.culture.instrument_model import (
    IDENTIFIER,
    LANGUAGE,
    MAX_SCALE_POINTS,
    MIN_SCALE_POINTS,
    SOURCE_LANGUAGE,
    Dimension,
    Instrument,
    InstrumentError,
    Item,
    TextPlace,
    is_whole_number,
)

__all__ = [  # the model, read from here by the rest of the product
    "SOURCE_LANGUAGE",
    "Dimension",
    "Instrument",
    "InstrumentError",
    "Item",
    "TextPlace",
]


def parse(text: str, source: str = "<instrument>") -> Instrument:
    return _parse_with_key_line(text, source)[0]


def load(path: Path) -> Instrument:
    return parse(_read(path), str(path))


def shipped_dir() -> Path:
    return Path(__file__).with_name("instruments")


def available(extra_dir: Path | None = None) -> dict[str, Instrument]:
    """Every instrument shipped with the app plus those in an organisation's own directory."""
    found: dict[str, Instrument] = {}
    defined_in: dict[str, Path] = {}
    for path in _instrument_files(extra_dir):
        instrument, key_line = _parsed(path, path.stat().st_mtime_ns)
        if instrument.key in defined_in:
            first = defined_in[instrument.key]
            raise InstrumentError(
                str(path),
                key_line,
                f"instrument '{instrument.key}' is already defined in {first}; "
                "a changed instrument needs a new version",
            )
        found[instrument.key] = instrument
        defined_in[instrument.key] = path
    return found


@lru_cache(maxsize=256)
def _parsed(path: Path, modified_ns: int) -> tuple[Instrument, int | None]:
    """Each version of a file is parsed once per process (about 20 ms a file, and every
    dashboard view and survey answer asks); an edited file has a new time, so it is read
    again. Instruments are frozen, so sharing them is safe."""
    return _parse_with_key_line(_read(path), str(path))


def _instrument_files(extra_dir: Path | None) -> Iterator[Path]:
    yield from sorted(shipped_dir().glob("*.yaml"))
    if extra_dir is None:
        return
    # A mistyped directory setting must not silently leave an organisation's instrument out.
    if not extra_dir.is_dir():
        raise InstrumentError(str(extra_dir), None, "no such survey instrument directory")
    yield from sorted(extra_dir.glob("*.yaml"))


def _read(path: Path) -> str:
    data = path.read_bytes()
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        # Files saved from office tools in a legacy encoding are the likely cause.
        line = data.count(b"\n", 0, error.start) + 1
        raise InstrumentError(str(path), line, "not UTF-8 text; save it as UTF-8") from error


def _parse_with_key_line(text: str, source: str) -> tuple[Instrument, int]:
    """The instrument, and the line of its id (where a clash between two files is reported)."""
    try:
        root = _safe_root_node(text)
    except yaml.MarkedYAMLError as error:
        raise _invalid_yaml(source, error) from error
    except yaml.YAMLError as error:
        raise InstrumentError(source, None, f"not valid YAML: {error}") from error
    if root is None:
        raise InstrumentError(source, None, "the file is empty")
    return _Reader(source).instrument(root)


def _invalid_yaml(source: str, error: yaml.MarkedYAMLError) -> InstrumentError:
    """Refusal at the line where the parser gave up, naming where the broken part began."""
    mark = error.problem_mark or error.context_mark
    reason = f"not valid YAML: {error.problem}"
    if error.context and error.context_mark and error.context_mark is not mark:
        reason += f" ({error.context} on line {error.context_mark.line + 1})"
    return InstrumentError(source, mark.line + 1 if mark else None, reason)


def _safe_root_node(text: str) -> Node | None:
    """The document's node tree, which keeps line marks; refuses tags a safe loader refuses."""
    loader = yaml.SafeLoader(text)
    try:
        root = loader.get_single_node()
        if root is not None:
            loader.construct_document(root)
        return root
    finally:
        loader.dispose()


class _Reader:
    """Walks the composed YAML nodes so that every refusal names the line it is about."""

    def __init__(self, source: str) -> None:
        self.source = source
        self._constructor = SafeConstructor()
        self.texts: dict[TextPlace, dict[str, str]] = {}

    def instrument(self, root: Node) -> tuple[Instrument, int]:
        fields = self.fields(
            root,
            "the instrument",
            required=("id", "version", "title", "scale", "dimensions", "items"),
            optional=("description", "instructions"),
        )
        instrument_id = self.identifier(fields["id"], "'id'")
        version = self.identifier(fields["version"], "'version'")
        title = self.text(fields["title"], "'title'", TextPlace("title"))
        description = self.optional_text(
            fields.get("description"), "'description'", TextPlace("description")
        )
        instructions = self.optional_text(
            fields.get("instructions"), "'instructions'", TextPlace("instructions")
        )
        scale_min, scale_max, scale_labels = self.scale(fields["scale"])
        declared = self.dimensions(fields["dimensions"])
        items = self.items(fields["items"], declared)
        self.refuse_dimensions_without_items(declared, items)
        instrument = Instrument(
            id=instrument_id,
            version=version,
            title=title,
            description=description,
            scale_min=scale_min,
            scale_max=scale_max,
            scale_labels=scale_labels,
            dimensions=tuple(dimension for dimension, _ in declared.values()),
            items=items,
            instructions=instructions,
            texts=self.texts,
        )
        return instrument, fields["id"].start_mark.line + 1

    def scale(self, node: Node) -> tuple[int, int, dict[int, str]]:
        if not isinstance(node, MappingNode):
            raise InstrumentError(
                *self.where(node),
                "unknown scale: expected 'min' and 'max' whole numbers with optional 'labels', "
                f"not {self.describe(node)}",
            )
        fields = self.fields(node, "'scale'", required=("min", "max"), optional=("labels",))
        low, high = self.scale_end(fields["min"]), self.scale_end(fields["max"])
        if low < 0:
            raise InstrumentError(
                *self.where(fields["min"]), f"unknown scale {low}–{high}: 'min' is below 0"
            )
        if not MIN_SCALE_POINTS <= high - low + 1 <= MAX_SCALE_POINTS:
            raise InstrumentError(
                *self.where(fields["max"]),
                f"unknown scale {low}–{high}: a scale has "
                f"{MIN_SCALE_POINTS} to {MAX_SCALE_POINTS} points",
            )
        labels_node = fields.get("labels")
        labels = {} if labels_node is None else self.scale_labels(labels_node, low, high)
        return low, high, labels

    def scale_end(self, node: Node) -> int:
        value = self.value(node)
        if not is_whole_number(value):
            raise InstrumentError(
                *self.where(node), f"unknown scale: {self.describe(node)} is not a whole number"
            )
        return value

    def scale_labels(self, node: Node, low: int, high: int) -> dict[int, str]:
        labels: dict[int, str] = {}
        for point, key_node, value_node in self.pairs(node, "the scale's 'labels'"):
            if not is_whole_number(point) or not low <= point <= high:
                raise InstrumentError(
                    *self.where(key_node),
                    f"unknown scale: label {point!r} is not a whole number from {low} to {high}",
                )
            labels[point] = self.text(
                value_node,
                f"the label of scale point {point}",
                TextPlace("scale label", str(point)),
            )
        return labels

    def dimensions(self, node: Node) -> dict[str, tuple[Dimension, Node]]:
        """Each declared dimension by id, with its id node for refusals that come later."""
        declared: dict[str, tuple[Dimension, Node]] = {}
        for number, dimension_node in enumerate(self.sequence(node, "'dimensions'"), start=1):
            fields = self.fields(
                dimension_node,
                f"dimension {number}",
                required=("id", "name"),
                optional=("description",),
            )
            dimension_id = self.unique_id(fields["id"], "dimension", number, declared)
            dimension = Dimension(
                id=dimension_id,
                name=self.text(
                    fields["name"],
                    f"the name of dimension '{dimension_id}'",
                    TextPlace("dimension name", dimension_id),
                ),
                description=self.optional_text(
                    fields.get("description"),
                    f"the description of dimension '{dimension_id}'",
                    TextPlace("dimension description", dimension_id),
                ),
            )
            declared[dimension_id] = (dimension, fields["id"])
        return declared

    def items(self, node: Node, dimensions: Collection[str]) -> tuple[Item, ...]:
        items: dict[str, Item] = {}
        for number, item_node in enumerate(self.sequence(node, "'items'"), start=1):
            fields = self.fields(
                item_node,
                f"item {number}",
                required=("id", "text", "dimension"),
                optional=("reverse",),
            )
            item_id = self.unique_id(fields["id"], "item", number, items)
            items[item_id] = Item(
                id=item_id,
                text=self.text(
                    fields["text"], f"the text of item '{item_id}'", TextPlace("item", item_id)
                ),
                dimension=self.declared_dimension(fields["dimension"], item_id, dimensions),
                reverse=self.reverse(fields.get("reverse"), item_id),
            )
        return tuple(items.values())

    def declared_dimension(self, node: Node, item_id: str, dimensions: Collection[str]) -> str:
        dimension_id = self.identifier(node, f"the dimension of item '{item_id}'")
        if dimension_id not in dimensions:
            raise InstrumentError(
                *self.where(node),
                f"missing dimension '{dimension_id}': item '{item_id}' names it, "
                "but 'dimensions' does not declare it",
            )
        return dimension_id

    def reverse(self, node: Node | None, item_id: str) -> bool:
        if node is None:
            return False
        value = self.value(node)
        if not isinstance(value, bool):
            raise InstrumentError(
                *self.where(node),
                f"'reverse' of item '{item_id}' must be true or false, not {self.describe(node)}",
            )
        return value

    def refuse_dimensions_without_items(
        self, declared: Mapping[str, tuple[Dimension, Node]], items: tuple[Item, ...]
    ) -> None:
        # A dimension without items would silently never get a score.
        used = {item.dimension for item in items}
        for dimension_id, (_dimension, id_node) in declared.items():
            if dimension_id not in used:
                raise InstrumentError(
                    *self.where(id_node), f"dimension '{dimension_id}' has no items"
                )

    def unique_id(self, node: Node, kind: str, number: int, seen: Mapping[str, Any]) -> str:
        found = self.identifier(node, f"the id of {kind} {number}")
        if found in seen:
            raise InstrumentError(*self.where(node), f"{kind} '{found}' appears twice")
        return found

    def fields(
        self, node: Node, what: str, *, required: tuple[str, ...], optional: tuple[str, ...]
    ) -> dict[str, Node]:
        """The value nodes of a mapping, refusing unknown (mistyped) and missing keys."""
        allowed = (*required, *optional)
        found: dict[str, Node] = {}
        for key, key_node, value_node in self.pairs(node, what):
            if key not in allowed:
                raise InstrumentError(
                    *self.where(key_node), _unknown_key_reason(key, what, allowed)
                )
            found[key] = value_node
        if missing := [key for key in required if key not in found]:
            raise InstrumentError(*self.where(node), f"{what} has no '{missing[0]}'")
        return found

    def pairs(self, node: Node, what: str) -> Iterator[tuple[Any, Node, Node]]:
        """Key, key node and value node of each entry; PyYAML would let a repeated key win."""
        if not isinstance(node, MappingNode):
            raise InstrumentError(
                *self.where(node), f"{what} must be a mapping, not {self.describe(node)}"
            )
        seen: set[Any] = set()
        for key_node, value_node in node.value:
            if not isinstance(key_node, ScalarNode):
                raise InstrumentError(
                    *self.where(key_node), f"{what} has {self.describe(key_node)} as a key"
                )
            key = self.value(key_node)
            if key in seen:
                raise InstrumentError(*self.where(key_node), f"key {key!r} appears twice in {what}")
            seen.add(key)
            yield key, key_node, value_node

    def sequence(self, node: Node, what: str) -> list[Node]:
        if not isinstance(node, SequenceNode):
            raise InstrumentError(
                *self.where(node), f"{what} must be a list, not {self.describe(node)}"
            )
        if not node.value:
            raise InstrumentError(*self.where(node), f"{what} is empty")
        return node.value

    def identifier(self, node: Node, what: str) -> str:
        value = self.value(node)
        if not isinstance(value, str):
            raise InstrumentError(
                *self.where(node),
                f"{what} must be text (put it in quotes), not {self.describe(node)}",
            )
        if not IDENTIFIER.fullmatch(value):
            raise InstrumentError(
                *self.where(node),
                f"{what} {value!r} may hold only letters, digits, '.', '_' and '-'",
            )
        return value

    def text(self, node: Node, what: str, place: TextPlace) -> str:
        """The English text; one text for every language, never empty."""
        english = self.optional_text(node, what, place)
        if not english:
            raise InstrumentError(*self.where(node), f"{what} is empty")
        return english

    def optional_text(self, node: Node | None, what: str, place: TextPlace) -> str:
        """The English text, which every language is kept with under ``place``: a plain
        text is English, a mapping gives one text per language (``en`` required). A field
        left out or left blank (``description:``) is empty text in every language."""
        if isinstance(node, MappingNode):
            by_language = self.translations(node, what)
            self.texts[place] = by_language
            return by_language[SOURCE_LANGUAGE]
        english = self.plain_text(node, what)
        if english:
            self.texts[place] = {SOURCE_LANGUAGE: english}
        return english

    def translations(self, node: MappingNode, what: str) -> dict[str, str]:
        by_language: dict[str, str] = {}
        for language, key_node, value_node in self.pairs(node, what):
            if not isinstance(language, str) or not LANGUAGE.fullmatch(language):
                raise InstrumentError(
                    *self.where(key_node),
                    f"{what} has {self.describe(key_node)} as a language; expected a language "
                    "code such as en, de, fr or es",
                )
            by_language[language] = self.plain_text(value_node, f"{what} in {language!r}")
            if not by_language[language]:
                raise InstrumentError(*self.where(value_node), f"{what} in {language!r} is empty")
        if SOURCE_LANGUAGE not in by_language:
            raise InstrumentError(
                *self.where(node),
                f"{what} has no English text ('{SOURCE_LANGUAGE}'), which every text needs",
            )
        return by_language

    def plain_text(self, node: Node | None, what: str) -> str:
        """Stripped text; nothing is empty text."""
        value = None if node is None else self.value(node)
        if value is None:
            return ""
        if not isinstance(value, str):
            raise InstrumentError(
                *self.where(node), f"{what} must be text, not {self.describe(node)}"
            )
        return value.strip()

    def value(self, node: Node) -> Any:
        """A scalar's Python value (YAML's own typing rules); mappings and lists stay nodes."""
        if not isinstance(node, ScalarNode):
            return node
        return self._constructor.construct_object(node)

    def describe(self, node: Node) -> str:
        if isinstance(node, MappingNode):
            return "a mapping"
        if isinstance(node, SequenceNode):
            return "a list"
        value = self.value(node)
        return "nothing" if value is None else repr(value)

    def where(self, node: Node) -> tuple[str, int]:
        """The file and the line of ``node``: where a refusal points."""
        return self.source, node.start_mark.line + 1


def _unknown_key_reason(key: Any, what: str, allowed: tuple[str, ...]) -> str:
    close = difflib.get_close_matches(str(key), allowed, n=1)
    hint = f"did you mean '{close[0]}'?" if close else f"expected {', '.join(allowed)}"
    return f"unknown key {key!r} in {what}; {hint}"
