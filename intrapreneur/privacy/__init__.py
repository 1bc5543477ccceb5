"""Personal data through its whole life: what is held and why (the registry), a person's
copy of theirs (subject access export), erasure of leavers, and retention rules.

One registry (``registry.py``) names, per table, which columns hold personal data, who
sees them, how long they are kept and what erasure does to each; the export, the erasure,
the retention job and the record of processing (docs/privacy.md) all read it, so they
cannot drift apart.
"""
