"""Expertise: HR's vocabulary of tags, and the profiles of the people who can be asked for
help (guest entrepreneurs and facilitators): their tags, a short bio and weekly availability."""
