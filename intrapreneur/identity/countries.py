"""Countries as ISO 3166-1 alpha-2 codes, named in the reader's language by Babel (CLDR)."""

from __future__ import annotations

from babel import Locale

# CLDR's two-letter territories that ISO 3166-1 does not assign to a country: reserved
# and exceptionally reserved codes, groupings (EU, UN) and private-use codes.
_NOT_ISO_COUNTRIES = frozenset(
    {"AC", "CP", "CQ", "DG", "EA", "EU", "EZ", "IC", "QO", "TA", "UN", "XA", "XB", "XK", "ZZ"}
)
ISO_COUNTRIES = frozenset(
    code
    for code in Locale("en").territories
    if len(code) == 2 and code.isalpha() and code not in _NOT_ISO_COUNTRIES
)


def country_code(value: str | None) -> str | None:
    """The ISO 3166-1 alpha-2 code ``value`` spells (any case, spaces around), else None."""
    code = (value or "").strip().upper()
    return code if code in ISO_COUNTRIES else None


def country_name(code: str, locale: str = "en") -> str:
    """The country's name in ``locale`` (the code itself if CLDR has no name for it)."""
    return Locale.parse(locale).territories.get(code, code)
