"""The release ledger: one engine decides every survey figure any audience ever sees.

HR's dashboard, every manager's dashboard, the distribution bands, the response rates,
the comments, the impact estimate's cells, the CSV/XLSX exports and ``/api/v1`` all print
a closed wave's *release*, decided once when the wave is published and kept. A figure is
released only if, together with everything released to anyone in this wave and every
earlier one, no sum or difference of released figures determines the answers of fewer than
k people (``algebra``: exact linear algebra over the people behind each figure, a person
being the same unknown in every wave). Thresholds count the answers a figure rests on, not
the respondents of its group.

* ``people``: who stands behind each figure (pseudonyms linked across waves, as atoms);
* ``tables``: one wave's unsuppressed totals of every group, from two GROUP BY queries;
* ``algebra``: which small unions of people the released rows determine, and from which rows
  (peeling, blocks, exact elimination); ``search``: finding those unions in one block;
* ``release``: the greedy choice of what to withhold, cheapest first, and what to show again;
* ``waves``: one wave's release, family by family, organisation first, then managers' scopes.

docs/anonymity.md states the threat model, the rules and the known limits.
"""
