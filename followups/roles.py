"""The three roles of a call center, as Django groups and the permissions each holds."""

from enum import StrEnum


class Role(StrEnum):
    AGENT = "agent"
    SUPERVISOR = "supervisor"
    ADMIN = "admin"


# The permission that opens each role's pages; views check these, never group names,
# so an admin can grant a single right to one user without a new role.
WORK_QUEUE = "followups.work_queue"
REVIEW_OUTCOMES = "followups.review_outcomes"
CONFIGURE_CENTER = "followups.configure_center"


def home_url_name(user) -> str:
    """The page a user lands on after logging in, by the most specific right they hold."""
    if user.has_perm(CONFIGURE_CENTER):
        return "config:home"
    if user.has_perm(REVIEW_OUTCOMES):
        return "supervisor:home"
    if user.has_perm(WORK_QUEUE):
        return "agent:home"
    return "no_role"


def manages_superusers(user) -> bool:
    """Superuser and staff (Django admin) rights, superusers' own accounts and the API
    tokens are a superuser's alone: the centre's admin role manages roles, never these.
    A status, not a permission, so that no grant can hand it on."""
    return bool(user and user.is_active and user.is_superuser)
