"""The people who make the calls: teams, and who is on duty on which day."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from .base import Named
from .fields import optional_m2m, parent_fk


class Team(Named):
    members = optional_m2m(settings.AUTH_USER_MODEL, "teams", _("members"))
    departments = optional_m2m("followups.Department", "teams", _("departments served"))

    class Meta(Named.Meta):
        verbose_name = _("team")
        verbose_name_plural = _("teams")


class DutyDay(models.Model):
    """An agent on duty on a day. A day with no rows at all means every active agent
    is on duty, so a center that keeps no roster still gets its lists shared out."""

    agent = parent_fk(settings.AUTH_USER_MODEL, "duty_days", _("agent"))
    day = models.DateField(_("day"))

    class Meta:
        verbose_name = _("duty day")
        verbose_name_plural = _("duty days")
        ordering = ["day", "agent"]
        constraints = [
            models.UniqueConstraint(fields=["agent", "day"], name="one_duty_per_agent_day")
        ]

    def __str__(self) -> str:
        return f"{self.agent} {self.day}"
