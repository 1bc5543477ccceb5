"""Erasure and anonymisation of a person (issue 22): ``refusals`` says whether a person may
be erased yet, ``erase`` does it in the caller's transaction, ``tombstone`` is the stable
name an erased person is shown by. The rules are read from the registry (``privacy.record``):
a table declared there is erased by its declaration, without code of its own here."""

from intrapreneur.privacy.erasure.refusals import ErasureRefused, refusals, refusals_of
from intrapreneur.privacy.erasure.service import ErasureReport, erase
from intrapreneur.privacy.erasure.text import tombstone

__all__ = ["ErasureRefused", "ErasureReport", "erase", "refusals", "refusals_of", "tombstone"]
