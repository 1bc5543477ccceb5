"""The one way a route declares who may call it.

Every view is wrapped by exactly one of ``public`` or ``requires(rule)``; the
route × role test fails for any endpoint that declares neither. A *rule* is a
pure function ``rule(person) -> bool`` kept in its domain's ``permissions.py``.
Object-level checks happen inside the view with ``ensure``.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import TYPE_CHECKING, Any, TypeVar

from flask import abort
from flask_login import current_user

from intrapreneur.extensions import login_manager

if TYPE_CHECKING:
    from intrapreneur.identity.models import Person

Rule = Callable[["Person"], bool]
View = TypeVar("View", bound=Callable[..., Any])

ACCESS_ATTRIBUTE = "access_rule"
PUBLIC = "public"


def public(view: View) -> View:
    """Anyone may call this route, signed in or not."""
    setattr(view, ACCESS_ATTRIBUTE, PUBLIC)
    return view


def requires(rule: Rule) -> Callable[[View], View]:
    """Signed-in people for whom ``rule`` holds; others get sign-in or 403."""

    def decorate(view: View) -> View:
        @wraps(view)
        def guarded(*args: Any, **kwargs: Any) -> Any:
            if not current_user.is_authenticated:
                return login_manager.unauthorized()
            if not rule(current_user):
                abort(403)
            return view(*args, **kwargs)

        setattr(guarded, ACCESS_ATTRIBUTE, rule)
        return guarded  # type: ignore[return-value]

    return decorate


def ensure(allowed: bool, *, hide: bool = False) -> None:
    """Object-level check inside a view.

    ``hide=True`` answers 404 so that people cannot probe which objects exist.
    """
    if not allowed:
        abort(404 if hide else 403)


def signed_in(person: Person) -> bool:
    """Any signed-in person."""
    return person.is_authenticated
