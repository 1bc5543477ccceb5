"""Ventures and their experiment boards as pages: one blueprint, its routes in modules by
what they work on (the board, its cards, the venture's settings)."""

from intrapreneur.blueprints.ventures import board, cards, settings
from intrapreneur.blueprints.ventures.common import blueprint

__all__ = ["blueprint", "board", "cards", "settings"]
