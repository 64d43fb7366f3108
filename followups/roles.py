"""The roles of a call center, as Django groups and the permissions each holds."""

from enum import StrEnum

from django.utils.translation import gettext_lazy as _


class Role(StrEnum):
    # In order of rights: where a user holds several groups, the last one names the role.
    AGENT = "agent"
    DEPARTMENT_HEAD = "department_head"
    SUPERVISOR = "supervisor"
    ADMIN = "admin"


def role_choices() -> list[tuple[str, str]]:
    """Each role with its name, in order of rights (the user forms, the audit trail)."""
    return [
        (Role.AGENT.value, _("Agent")),
        (Role.DEPARTMENT_HEAD.value, _("Department head")),
        (Role.SUPERVISOR.value, _("Supervisor")),
        (Role.ADMIN.value, _("Administrator")),
    ]


# The permission that opens each role's pages; views check these, never group names,
# so an admin can grant a single right to one user without a new role.
WORK_QUEUE = "followups.work_queue"
REVIEW_OUTCOMES = "followups.review_outcomes"
# Reading the outcomes, reviews, escalations and reports: supervisors and admins read them
# all; a department head (科主任, without REVIEW_OUTCOMES) only those of the departments
# they head (followups.reports.scope.departments_seen_by). Every write still needs
# REVIEW_OUTCOMES.
READ_OUTCOMES = "followups.read_outcomes"
CONFIGURE_CENTER = "followups.configure_center"


def home_url_name(user) -> str:
    """The page a user lands on after logging in, by the most specific right they hold."""
    if user.has_perm(CONFIGURE_CENTER):
        return "config:home"
    if user.has_perm(REVIEW_OUTCOMES):
        return "supervisor:home"
    if user.has_perm(WORK_QUEUE):
        return "agent:home"
    if user.has_perm(READ_OUTCOMES):
        return "supervisor:calls"
    return "no_role"


def manages_superusers(user) -> bool:
    """Superuser and staff (Django admin) rights, superusers' own accounts and the API
    tokens are a superuser's alone: the centre's admin role manages roles, never these.
    A status, not a permission, so that no grant can hand it on."""
    return bool(user and user.is_active and user.is_superuser)
