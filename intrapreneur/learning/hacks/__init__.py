"""Hacks: an employee asks an entrepreneur for a short session on one challenge (their
hot-seat challenge or an experiment card of their venture); an accepted Hack is a session of
its own with just the two of them, with its calendar file."""
