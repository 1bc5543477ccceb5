"""A person's copy of their data (subject access, GDPR art. 15): everything the record of
processing links to them, as a ZIP of JSON files with a summary to read, made by a
background job for whoever asked (the person, or an administrator for them).

``sections`` reads the record and says what goes in; ``redaction`` blanks other people
named in the texts; ``archive`` writes the ZIP; ``services`` asks for and makes it;
``permissions`` says who may ask.
"""

from intrapreneur.privacy.subject_export.permissions import (
    can_export_anyones_data,
    can_export_data_of,
)
from intrapreneur.privacy.subject_export.services import ExportRefused, ask, make

__all__ = ["ExportRefused", "ask", "can_export_anyones_data", "can_export_data_of", "make"]
