"""The learning library: decided experiments across the organisation, as each reader may see
them (``queries``), a chart of them (``charts``), the library's filters (``forms``), and the
weekly digest of the learnings shared with the organisation (``digest``, run by ``tasks``)."""
