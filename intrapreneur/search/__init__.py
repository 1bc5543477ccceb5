"""Search: one index of what people wrote (ventures, experiments, learning cards, hot-seat
challenges, questions, commitments), read through the same visibility rules as the pages
that show each thing. See ``models`` for the index, ``sources`` for what is searchable,
``sync`` for how the index follows every write, ``queries`` for reading it."""
