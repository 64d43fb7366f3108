"""Django's ModelBackend with each user's permission set kept in the cache.

Every view and endpoint checks a permission, and ModelBackend answers the first check of
each request with two queries (the user's own permissions, their groups' permissions).
On the agents' hottest request, claiming the next call, those two queries cost more than
the claim itself. Here the set is read from the cache (Redis in deployment, shared by
every process) and dropped the moment anything it depends on changes: a user's groups or
own permissions, a group's permissions, a user saved (active, superuser) or deleted, a
group deleted. A change made outside Django (raw SQL) shows within PERMISSIONS_SECONDS.

In front of the shared cache each process keeps the sets it read for LOCAL_SECONDS: the
shared cache costs a network round trip, as much as the rest of a claim. The process that
makes a change forgets at once; the others take up to LOCAL_SECONDS to notice.

Django and django-guardian offer no such cache (guardian's caches object permissions per
request only), so this is written here; it is ModelBackend's own answer, only stored.
"""

import time

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Group
from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_delete

PERMISSIONS_SECONDS = 300
LOCAL_SECONDS = 30

# user id -> (monotonic expiry, permission set); small: one entry per user seen lately.
_local: dict[int, tuple[float, set[str]]] = {}


def _key(user_id) -> str:
    return f"huifang:perms:{user_id}"


class CachedPermissionsBackend(ModelBackend):
    def get_all_permissions(self, user_obj, obj=None):
        if not user_obj.is_active or user_obj.is_anonymous or obj is not None:
            return set()
        if not hasattr(user_obj, "_perm_cache"):
            user_obj._perm_cache = self._stored(user_obj)
        return user_obj._perm_cache

    def _stored(self, user_obj) -> set[str]:
        moment = time.monotonic()
        local = _local.get(user_obj.pk)
        if local is not None and local[0] > moment:
            return local[1]
        stored = cache.get(_key(user_obj.pk))
        if stored is None:
            stored = super().get_all_permissions(user_obj)
            cache.set(_key(user_obj.pk), stored, PERMISSIONS_SECONDS)
        if len(_local) > 10_000:
            _local.clear()
        _local[user_obj.pk] = (moment + LOCAL_SECONDS, stored)
        return stored


def forget_permissions(user_ids) -> None:
    """Drop the stored sets now and again once the transaction commits, so that a request
    reading the old rows in between cannot leave an old set behind."""
    user_ids = list(user_ids)
    if user_ids:
        _forget(user_ids)
        transaction.on_commit(lambda: _forget(user_ids))


def _forget(user_ids: list) -> None:
    for user_id in user_ids:
        _local.pop(user_id, None)
    cache.delete_many([_key(user_id) for user_id in user_ids])


def forget_all_locally() -> None:
    """Tests: ids come back after a rollback."""
    _local.clear()


def _every_user() -> list[int]:
    return list(get_user_model().objects.values_list("pk", flat=True))


def _user_changed(sender, instance, **_kwargs) -> None:
    forget_permissions([instance.pk])


def _user_links_changed(sender, instance, action, reverse, pk_set, **_kwargs) -> None:
    """user.groups or user.user_permissions changed; `reverse`: from the group's or the
    permission's side, pk_set then naming users (none on a clear: everyone, it is rare)."""
    if action.startswith("post_"):
        forget_permissions((pk_set or _every_user()) if reverse else [instance.pk])


def _group_permissions_changed(sender, instance, action, reverse, pk_set, **_kwargs) -> None:
    """group.permissions changed; `reverse`: permission.group_set, pk_set naming groups."""
    if not action.startswith("post_"):
        return
    if not reverse:
        forget_permissions(_members_of([instance.pk]))
    else:
        forget_permissions(_members_of(pk_set) if pk_set else _every_user())


def _group_deleted(sender, instance, **_kwargs) -> None:
    forget_permissions(_members_of([instance.pk]))


def _members_of(group_ids) -> list[int]:
    return list(get_user_model().objects.filter(groups__in=group_ids).values_list("pk", flat=True))


def connect_signals() -> None:
    """Called from FollowupsConfig.ready(): every process that may change a permission
    drops the stored sets, whether or not it ever checks one."""
    user = get_user_model()
    post_save.connect(_user_changed, sender=user, dispatch_uid="perms-user-saved")
    post_delete.connect(_user_changed, sender=user, dispatch_uid="perms-user-deleted")
    pre_delete.connect(_group_deleted, sender=Group, dispatch_uid="perms-group-deleted")
    for through in (user.groups.through, user.user_permissions.through):
        m2m_changed.connect(
            _user_links_changed, sender=through, dispatch_uid=f"perms-{through.__name__}"
        )
    m2m_changed.connect(
        _group_permissions_changed,
        sender=Group.permissions.through,
        dispatch_uid="perms-group-permissions",
    )
