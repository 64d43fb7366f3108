"""Django admin of users, roles (groups) and API tokens, in place of Django's and DRF's own.

Superuser and staff rights, superusers' accounts and API tokens are a superuser's alone
(roles.manages_superusers): for anyone else the two flags are read-only, a superuser's
account is view-only (its password too), and tokens do not show. Rights are given only
from those the giver holds (services.user_rights); every change of a user's rights or a
role's permissions writes a CHANGE_USER audit event.
"""

from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import GroupAdmin, UserAdmin
from django.contrib.auth.models import Group
from rest_framework.authtoken.admin import TokenAdmin
from rest_framework.authtoken.models import TokenProxy

from followups.roles import manages_superusers
from followups.services import user_rights

User = get_user_model()

for _model in (User, Group, TokenProxy):
    if admin.site.is_registered(_model):
        admin.site.unregister(_model)


class GivesHeldRightsMixin:
    """The admin of something holding rights (a user, a role): the giver chooses only among
    the rights they may give (`grantable`: many-to-many field → services.user_rights'
    choices for the giver), and what the object held before is read as stored before the
    form's changes are written (`rights_before`), with the part out of the giver's reach,
    which the form cannot show (`rights_out_of_reach`): save_related puts that back and
    audits the change."""

    grantable: dict = {}

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name in self.grantable:
            kwargs["queryset"] = self.grantable[db_field.name](request.user)
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        # As stored, before the form's changes are written (the many-to-many ones with
        # save_related).
        form.rights_before = self.rights_before(obj)
        form.out_of_reach = self.rights_out_of_reach(obj, request.user)
        super().save_model(request, obj, form, change)


@admin.register(User)
class CentreUserAdmin(GivesHeldRightsMixin, UserAdmin):
    grantable = {
        "groups": user_rights.grantable_groups,
        "user_permissions": user_rights.grantable_permissions,
    }
    rights_before = staticmethod(user_rights.rights_of)
    rights_out_of_reach = staticmethod(user_rights.out_of_reach)

    def get_readonly_fields(self, request, obj=None):
        readonly = list(super().get_readonly_fields(request, obj))
        if not manages_superusers(request.user):
            readonly += ["is_staff", "is_superuser"]
        return readonly

    def has_change_permission(self, request, obj=None):
        if obj is not None and obj.is_superuser and not manages_superusers(request.user):
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        if obj is not None and obj.is_superuser and not manages_superusers(request.user):
            return False
        return super().has_delete_permission(request, obj)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        user = form.instance
        groups, permissions = form.out_of_reach
        user.groups.add(*groups)
        user.user_permissions.add(*permissions)
        user_rights.record_change(
            user=user, before=form.rights_before, actor=request.user, created=not change
        )


@admin.register(Group)
class CentreGroupAdmin(GivesHeldRightsMixin, GroupAdmin):
    grantable = {"permissions": user_rights.grantable_permissions}
    rights_before = staticmethod(user_rights.group_permissions)
    rights_out_of_reach = staticmethod(user_rights.group_out_of_reach)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        form.instance.permissions.add(*form.out_of_reach)
        user_rights.record_group_change(
            group=form.instance,
            before=form.rights_before,
            actor=request.user,
            created=not change,
        )


@admin.register(TokenProxy)
class SuperuserTokenAdmin(TokenAdmin):
    """A token is a password: whoever reads one signs in as its user."""

    def has_module_permission(self, request):
        return manages_superusers(request.user) and super().has_module_permission(request)

    def has_view_permission(self, request, obj=None):
        return manages_superusers(request.user) and super().has_view_permission(request, obj)

    def has_add_permission(self, request):
        return manages_superusers(request.user) and super().has_add_permission(request)

    def has_change_permission(self, request, obj=None):
        return manages_superusers(request.user) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return manages_superusers(request.user) and super().has_delete_permission(request, obj)
