"""The audit trail: who saw a number, exported data, published a script, changed the rules."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from .fields import json_object, optional_fk


class AuditAction(models.TextChoices):
    REVEAL_PHONE = "reveal_phone", _("Revealed a phone number")
    EXPORT = "export", _("Exported data")
    PUBLISH_SCRIPT = "publish_script", _("Published a script")
    RETIRE_SCRIPT = "retire_script", _("Retired a script")
    CHANGE_PLAN = "change_plan", _("Changed a follow-up plan")
    CHANGE_POLICY = "change_policy", _("Changed a calling policy")
    IMPORT = "import", _("Imported patients")
    CHANGE_USER = "change_user", _("Changed a user or role")
    CHANGE_TEAM = "change_team", _("Changed a team or duty roster")
    CHANGE_SCHEDULE = "change_schedule", _("Changed the list build time")
    CHANGE_HOLIDAYS = "change_holidays", _("Changed holiday overrides")
    REVIEW_CALL = "review_call", _("Reviewed a call")
    REASSIGN = "reassign", _("Reassigned queue entries")
    REOPEN_CASE = "reopen_case", _("Sent a case back for another call")
    ESCALATION = "escalation", _("Changed an escalation")
    DO_NOT_CALL = "do_not_call", _("Put a customer on the do-not-call list")
    WRONG_NUMBER = "wrong_number", _("Held a person's calls: wrong number")
    NUMBER_FIXED = "number_fixed", _("Fixed a number: held calls resumed")
    CALLBACK_MOVES = "callback_moves", _("Moved a person's calls with their callback")
    DECEASED = "deceased", _("Stopped a person's calls: deceased")
    READ_LIST = "read_list", _("Read a list of people's records")
    PUT_BACK = "put_back", _("Put a call back on the list")
    ADD_PERSON = "add_person", _("Added a person")
    CHANGE_PERSON = "change_person", _("Changed a person's details")
    OPEN_CASE = "open_case", _("Opened a case")
    CHANGE_CASE = "change_case", _("Changed a case")
    CLOSE_CASE = "close_case", _("Closed a case")


class AuditEvent(models.Model):
    """Append-only: the detail names ids and counts, never a phone or a diagnosis."""

    actor = optional_fk(
        settings.AUTH_USER_MODEL, "audit_events", _("who"), on_delete=models.PROTECT
    )
    action = models.CharField(_("action"), max_length=20, choices=AuditAction.choices)
    target_type = models.CharField(_("object type"), max_length=60, blank=True)
    target_id = models.CharField(_("object id"), max_length=40, blank=True)
    detail = json_object(_("detail"))
    at = models.DateTimeField(_("when"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["target_type", "target_id"], name="audit_target_idx")]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.get_action_display()}"
