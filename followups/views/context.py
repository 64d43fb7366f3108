"""Template context every page gets: what the user's role lets the navigation show."""

from followups.roles import CONFIGURE_CENTER, READ_OUTCOMES, REVIEW_OUTCOMES, WORK_QUEUE
from followups.selectors.people_search import may_search


def navigation(request) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav": {}}
    return {
        "nav": {
            "agent": user.has_perm(WORK_QUEUE),
            "supervisor": user.has_perm(REVIEW_OUTCOMES),
            # A department head reads the supervisor's pages of their departments only.
            "department": user.has_perm(READ_OUTCOMES) and not user.has_perm(REVIEW_OUTCOMES),
            "config": user.has_perm(CONFIGURE_CENTER),
            "django_admin": user.is_staff,
            "people": may_search(user),
        }
    }
