"""Who may open a page: the decorator every page of the follow-ups starts with."""

from django.contrib.auth.decorators import login_required, permission_required


def page_for(*permissions: str):
    """A page for those holding all of `permissions`: anonymous users go to the login page,
    other roles get 403."""

    def decorate(view):
        return login_required(permission_required(permissions, raise_exception=True)(view))

    return decorate
