"""Who may call which API action: each view names the permissions its actions need.

Reads are open to holders of the model's view permission (supervisors, admins) and, where a
view says so, to agents, whose querysets the view narrows to their own calls.
"""

from rest_framework.permissions import SAFE_METHODS, BasePermission

from followups.roles import WORK_QUEUE


def is_agent_only(user, view_permission: str) -> bool:
    """An agent without the model's view right: sees only what their own calls need."""
    return not user.has_perm(view_permission) and user.has_perm(WORK_QUEUE)


class RolePermission(BasePermission):
    """Reads need `view_permission` (or WORK_QUEUE when `agents_may_read`); each writing
    action needs the permission named for it in `write_permissions`, else it is refused."""

    def has_permission(self, request, view) -> bool:
        user = request.user
        if not (user and user.is_authenticated and user.is_active):
            return False
        if request.method in SAFE_METHODS:
            if user.has_perm(view.view_permission):
                return True
            return getattr(view, "agents_may_read", False) and user.has_perm(WORK_QUEUE)
        needed = getattr(view, "write_permissions", {}).get(view.action)
        return needed is not None and user.has_perm(needed)


class HasPermission(BasePermission):
    """For single-purpose views: the user holds `view.required_permission`."""

    def has_permission(self, request, view) -> bool:
        user = request.user
        return bool(user and user.is_authenticated and user.is_active) and user.has_perm(
            view.required_permission
        )
