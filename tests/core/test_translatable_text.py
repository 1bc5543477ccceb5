"""No user-facing text outside a translation call: in the templates (text, and the
attributes people read or hear: title, alt, placeholder, aria-label, button values), in
the emails' text parts, and in the Python that speaks to people (flash messages, form
labels, choices and validation messages, refusals raised to the reader).

Whatever is found here would stay English on a German, French or Spanish page. Operator-
facing text (the command line, logs, configuration errors) is English by design and is
named below with the reason.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path

import pytest
from jinja2 import Environment

import intrapreneur

PACKAGE = Path(intrapreneur.__file__).resolve().parent
TEMPLATES = PACKAGE / "templates"
# Stands for each Jinja construct ({{ … }}, {% … %}) and for translated passages.
MARK = "\ue000"
LETTER = re.compile(r"[^\W\d_]")
# Words that are the same in every language: the product's name, formats and protocols.
UNTRANSLATED_WORDS = re.compile(
    r"\b(Intrapreneur|CSV|XLSX|JSON|PDF|ICS|iCalendar|URL|API|ID|LDAP|SAML|OpenID|OIDC|TOTP"
    r"|QR|SSO|UTC|KiB|MiB|Plotly)\b"
)
# Attributes a reader sees or a screen reader says.
READ_ATTRIBUTES = {"title", "alt", "placeholder", "aria-label", "aria-description", "label"}
BUTTON_INPUTS = {"submit", "button", "reset"}


def _says_something(text: str) -> bool:
    return bool(LETTER.search(UNTRANSLATED_WORDS.sub("", text.replace(MARK, ""))))


def _shown(text: str) -> str:
    return re.sub(f"{MARK}+", "{…}", text).strip()


def _literal_source(source: str) -> str:
    """The template with every Jinja construct, and every {% trans %} passage, replaced by
    MARK, so that what is left is the text written into the template itself."""
    parts: list[str] = []
    translating = False
    previous_name = ""
    for _, kind, value in Environment(autoescape=True, extensions=["jinja2.ext.i18n"]).lex(source):
        if kind == "name" and previous_name == "block_begin":
            translating = {"trans": True, "pluralize": True, "endtrans": False}.get(
                value, translating
            )
        previous_name = kind if kind != "whitespace" else previous_name
        if kind == "data" and not translating:
            parts.append(value)
        else:
            # Keep the line breaks, so that the parser's line numbers are the file's.
            parts.append(MARK + "\n" * value.count("\n"))
    return "".join(parts)


class _TextFinder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[tuple[int, str]] = []
        self._inside_code = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in {"script", "style"}:
            self._inside_code += 1
        values = dict(attrs)
        read = set(READ_ATTRIBUTES)
        if tag == "input" and values.get("type") in BUTTON_INPUTS:
            read.add("value")
        for name, value in attrs:
            if name in read and value and _says_something(value):
                self.found.append((self.getpos()[0], f'{name}="{_shown(value)}"'))

    def handle_endtag(self, tag: str) -> None:
        if tag in {"script", "style"}:
            self._inside_code -= 1

    def handle_data(self, data: str) -> None:
        if not self._inside_code and _says_something(data):
            self.found.append((self.getpos()[0], _shown(data)))


def untranslated_in_template(path: Path) -> list[tuple[int, str]]:
    literal = _literal_source(path.read_text())
    if path.suffix == ".txt":  # an email's text part: all of it is read
        return [
            (number, _shown(line))
            for number, line in enumerate(literal.splitlines(), 1)
            if _says_something(line)
        ]
    finder = _TextFinder()
    finder.feed(literal)
    finder.close()
    return finder.found


def _templates() -> Iterator[Path]:
    for path in sorted(TEMPLATES.rglob("*")):
        if path.suffix in {".html", ".txt"}:
            yield path


@pytest.mark.parametrize("path", list(_templates()), ids=lambda p: str(p.relative_to(TEMPLATES)))
def test_a_template_has_no_text_outside_a_translation_call(path: Path) -> None:
    assert untranslated_in_template(path) == []


# -- Python ------------------------------------------------------------------------------

# Where the text is for operators, in English by design: the command line, the settings
# (a configuration error stops the start, in the log), the migrations.
OPERATOR_FACING = {"cli", "settings", "migrations"}
# Exceptions whose message goes to a log or an operator, never onto a page.
OPERATOR_EXCEPTIONS = {
    "AssertionError",
    "BackupError",
    "ConfigError",
    # The directory's refusals: their message is a server's answer for the log and the
    # command line (the person reads services' own text instead).
    "DirectoryError",
    "DirectoryUnavailable",
    "CertificateNotTrusted",
    # For developers: the audit log refuses a change the code should never make.
    "AuditLogIsAppendOnly",
    # Raised to RQ for its retry, and read in the worker's log.
    "RetryLater",
    "EarlierReleaseExposes",  # a bug in the release ledger, logged
    "InstrumentError",  # a survey instrument's file and line, for whoever installs it
    "KeyError",
    "LookupError",
    "NotImplementedError",
    "RuntimeError",
    "SchemaNotReady",
    "TypeError",
    "UnsafeHeader",
    "ValueError",
}
VALIDATORS = {
    "AnyOf",
    "DataRequired",
    "Email",
    "EqualTo",
    "InputRequired",
    "Length",
    "NoneOf",
    "NumberRange",
    "Optional",
    "Regexp",
    "URL",
}


def _name(node: ast.expr) -> str:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    if isinstance(node, ast.Call):
        return _name(node.func)
    return ""


def _is_text(node: ast.expr | None) -> bool:
    """A literal with words in it; an f-string counts by its literal parts ("{a} · {b}"
    joins names and says nothing)."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return _says_something(node.value)
    if isinstance(node, ast.JoinedStr):
        return any(map(_is_text, node.values))
    return False


def _untranslated_calls(tree: ast.AST) -> Iterator[tuple[int, str]]:
    raised_calls = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Raise) and isinstance(node.exc, ast.Call):
            raised_calls.add(node.exc)
            raised = _name(node.exc)
            if raised not in OPERATOR_EXCEPTIONS and any(map(_is_text, node.exc.args)):
                yield node.lineno, f"raise {raised}(…)"
        if not isinstance(node, ast.Call) or node in raised_calls:
            continue
        called = _name(node.func)
        first = node.args[0] if node.args else None
        keywords = {keyword.arg: keyword.value for keyword in node.keywords}
        speaks = called in {"flash", "ValidationError"} or "refus" in called.lower()
        if speaks and _is_text(first):
            yield node.lineno, f"{called}(…)"
        if called == "SelectChoice" and any(map(_is_text, node.args[1:])):
            yield node.lineno, "SelectChoice(…)"
        if called.endswith("Field") and (
            _is_text(first)
            or _is_text(keywords.get("label"))
            or _is_text(keywords.get("description"))
        ):
            yield node.lineno, f"{called}(…)"
        if called in VALIDATORS and _is_text(keywords.get("message")):
            yield node.lineno, f"{called}(message=…)"
        choices = keywords.get("choices")
        if isinstance(choices, ast.List | ast.Tuple) and any(
            isinstance(choice, ast.Tuple) and _is_text(choice.elts[-1]) for choice in choices.elts
        ):
            yield node.lineno, f"{called}(choices=…)"


def _python_modules() -> Iterator[Path]:
    for path in sorted(PACKAGE.rglob("*.py")):
        if path.relative_to(PACKAGE).parts[0] not in OPERATOR_FACING:
            yield path


@pytest.mark.parametrize("path", list(_python_modules()), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_python_speaks_to_people_through_gettext(path: Path) -> None:
    assert list(_untranslated_calls(ast.parse(path.read_text()))) == []


@pytest.mark.parametrize(
    ("template", "found"),
    [
        ("<p>Hello, {{ name }}.</p>", [(1, "Hello, {…}.")]),
        ('<p>{{ _("Hello, %(name)s.", name=name) }}</p>', []),
        ("<p>{% trans %}Hello, {{ name }}.{% endtrans %}</p>", []),
        ('<button aria-label="Close">×</button>', [(1, 'aria-label="Close"')]),
        ('<input type="submit" value="Save">', [(1, 'value="Save"')]),
        ('<input type="hidden" name="step" value="confirm">', []),
        ("<p>\n{{ count }} · CSV ({{ size }} KiB)</p>", []),
        ("<script>const words = 'not for people';</script>", []),
        ("<p>Пароль</p>", [(1, "Пароль")]),
    ],
)
def test_the_template_check_finds_literal_text(
    tmp_path: Path, template: str, found: list[tuple[int, str]]
) -> None:
    path = tmp_path / "page.html"
    path.write_text(template)
    assert untranslated_in_template(path) == found


@pytest.mark.parametrize(
    ("source", "found"),
    [
        ('flash("Saved.", "success")', [(1, "flash(…)")]),
        ('flash(_("Saved."), "success")', []),
        ("flash(message)", []),
        ('flash(f"{cohort.programme.name} · {cohort.name}")', []),
        ('raise LearningRefusal(f"{name} left")', [(1, "raise LearningRefusal(…)")]),
        ('raise ConfigError("INTRAPRENEUR_X is missing")', []),
        (
            'title = StringField("Title", validators=[Length(max=9, message="Too long")])',
            [(1, "StringField(…)"), (1, "Length(message=…)")],
        ),
        ('title = StringField(_l("Title"))', []),
        (
            'kind = SelectField(_l("Kind"), choices=[("a", "Apple")])',
            [(1, "SelectField(choices=…)")],
        ),
    ],
)
def test_the_python_check_finds_literal_text(source: str, found: list[tuple[int, str]]) -> None:
    assert list(_untranslated_calls(ast.parse(source))) == found
