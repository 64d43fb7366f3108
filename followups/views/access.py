"""Who may open a page: the decorator every page of the follow-ups starts with."""

from django.contrib.auth.decorators import (
    login_required,
    permission_required,
    user_passes_test,
)
from django.core.exceptions import PermissionDenied


def page_for(*permissions: str):
    """A page for those holding all of `permissions`: anonymous users go to the login page,
    other roles get 403."""

    def decorate(view):
        return login_required(permission_required(permissions, raise_exception=True)(view))

    return decorate


def page_for_any(*permissions: str):
    """A page for those holding at least one of `permissions` (e.g. reading outcomes, which
    reviewing them implies): anonymous users go to the login page, other roles get 403."""

    def holds_one(user) -> bool:
        if not any(user.has_perm(permission) for permission in permissions):
            raise PermissionDenied
        return True

    def decorate(view):
        return login_required(user_passes_test(holds_one)(view))

    return decorate
