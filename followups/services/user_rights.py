"""A user's rights (superuser, staff, active, roles, permissions) as Django admin changes
them: who may give which, and the CHANGE_USER audit event of every change.

The centre's admin role gives only the permissions it holds itself, and roles (groups)
made of them; superuser and staff rights are a superuser's to give (roles.manages_superusers).
The configuration pages change roles through services.config, audited there.
"""

from collections import defaultdict
from dataclasses import dataclass

from django.contrib.auth.models import Group, Permission
from django.db import models

from followups.models import AuditAction
from followups.roles import manages_superusers
from followups.services import audit


@dataclass(frozen=True)
class Rights:
    superuser: bool
    staff: bool
    active: bool
    groups: frozenset[str]
    permissions: frozenset[str]  # "app_label.codename", given to the user directly


def rights_of(user) -> Rights:
    """The rights `user` has in the database (not those of an unsaved form)."""
    if user.pk is None:
        return Rights(False, False, False, frozenset(), frozenset())
    stored = type(user).objects.get(pk=user.pk)
    return Rights(
        superuser=stored.is_superuser,
        staff=stored.is_staff,
        active=stored.is_active,
        groups=frozenset(stored.groups.values_list("name", flat=True)),
        permissions=frozenset(
            f"{app_label}.{codename}"
            for app_label, codename in stored.user_permissions.values_list(
                "content_type__app_label", "codename"
            )
        ),
    )


def grantable_permissions(actor) -> models.QuerySet:
    """The permissions `actor` may give or take away: all for a superuser, else those the
    actor holds."""
    permissions = Permission.objects.select_related("content_type")
    if manages_superusers(actor):
        return permissions.all()
    codenames = defaultdict(list)
    for label in actor.get_all_permissions():
        app_label, _, codename = label.partition(".")
        codenames[app_label].append(codename)
    held = models.Q(pk__in=[])
    for app_label, names in codenames.items():
        held |= models.Q(content_type__app_label=app_label, codename__in=names)
    return permissions.filter(held)


def grantable_groups(actor) -> models.QuerySet:
    """The roles `actor` may give or take away: those made only of permissions the actor
    may give."""
    if manages_superusers(actor):
        return Group.objects.all()
    beyond = Permission.objects.exclude(pk__in=grantable_permissions(actor).values("pk"))
    return Group.objects.exclude(permissions__in=beyond)


def out_of_reach(user, actor) -> tuple[list, list]:
    """The groups and permissions `user` has that `actor` may not take away: a form of
    the actor's neither shows nor drops them."""
    if user.pk is None or manages_superusers(actor):
        return [], []
    groups = user.groups.exclude(pk__in=grantable_groups(actor).values("pk"))
    permissions = user.user_permissions.exclude(pk__in=grantable_permissions(actor).values("pk"))
    return list(groups), list(permissions)


def group_out_of_reach(group, actor) -> list:
    """The permissions of a role that `actor` may not take away."""
    if group.pk is None or manages_superusers(actor):
        return []
    return list(group.permissions.exclude(pk__in=grantable_permissions(actor).values("pk")))


def record_change(*, user, before: Rights, actor, created: bool = False, via: str = "admin"):
    """The CHANGE_USER event of a change of `user`'s rights since `before` (none when
    nothing changed, unless the user is new): flags, role names and permission codenames,
    never a name."""
    after = rights_of(user)
    detail: dict = {"via": via}
    if created:
        detail["created"] = True
    for flag in ("superuser", "staff", "active"):
        was, now = getattr(before, flag), getattr(after, flag)
        if was != now or created:
            detail[f"{flag}_from"], detail[f"{flag}_to"] = was, now
    for kind in ("groups", "permissions"):
        added = sorted(getattr(after, kind) - getattr(before, kind))
        removed = sorted(getattr(before, kind) - getattr(after, kind))
        if added:
            detail[f"{kind}_added"] = added
        if removed:
            detail[f"{kind}_removed"] = removed
    if len(detail) == 1:
        return None
    return audit.record(actor=actor, action=AuditAction.CHANGE_USER, target=user, **detail)


def record_group_change(*, group, before: frozenset[str], actor, created: bool = False):
    """The CHANGE_USER event of a change of a role's permissions (the role's name is no
    personal data)."""
    after = group_permissions(group)
    added, removed = sorted(after - before), sorted(before - after)
    if not (added or removed or created):
        return None
    detail: dict = {"via": "admin", "role": group.name}
    if created:
        detail["created"] = True
    if added:
        detail["permissions_added"] = added
    if removed:
        detail["permissions_removed"] = removed
    return audit.record(actor=actor, action=AuditAction.CHANGE_USER, target=group, **detail)


def group_permissions(group) -> frozenset[str]:
    """The permissions of a role as stored, "app_label.codename"."""
    if group.pk is None:
        return frozenset()
    return frozenset(
        f"{app_label}.{codename}"
        for app_label, codename in Permission.objects.filter(group__pk=group.pk).values_list(
            "content_type__app_label", "codename"
        )
    )
