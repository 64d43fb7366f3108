"""Template context every page gets: what the user's role lets the navigation show."""

from followups.roles import CONFIGURE_CENTER, REVIEW_OUTCOMES, WORK_QUEUE


def navigation(request) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav": {}}
    return {
        "nav": {
            "agent": user.has_perm(WORK_QUEUE),
            "supervisor": user.has_perm(REVIEW_OUTCOMES),
            "config": user.has_perm(CONFIGURE_CENTER),
            "django_admin": user.is_staff,
        }
    }
