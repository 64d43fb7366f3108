"""Call scripts and their numbered versions; a published version never changes.

The models came from followups and kept their tables (followups_callscript,
followups_scriptversion), their constraints and their indexes: the move changed where the
code lives, not the database (migrations scripts 0001 and followups 0015).
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from followups.models.base import Created, Named
from followups.models.cases import CaseKind
from followups.models.fields import optional_fk, optional_moment, protected_fk


class ScriptVersionStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")
    RETIRED = "retired", _("Retired")


class CallScript(Created, Named):
    name = models.CharField(_("name"), max_length=120, unique=True)
    code = models.SlugField(_("code"), max_length=60, unique=True)
    case_kind = models.CharField(
        _("case kind"), max_length=24, choices=CaseKind.choices, blank=True
    )
    description = models.TextField(_("description"), blank=True)

    class Meta(Named.Meta):
        db_table = "followups_callscript"
        verbose_name = _("call script")
        verbose_name_plural = _("call scripts")

    def published_version(self) -> "ScriptVersion | None":
        return self.versions.filter(status=ScriptVersionStatus.PUBLISHED).first()


class ScriptVersion(Created):
    """A graph of nodes and objection handlers (JSON), numbered within its script."""

    script = protected_fk(CallScript, "versions", _("script"))
    number = models.PositiveIntegerField(_("version"))
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=ScriptVersionStatus.choices,
        default=ScriptVersionStatus.DRAFT,
    )
    graph = models.JSONField(_("script graph"), default=dict)
    change_note = models.CharField(_("change note"), max_length=300, blank=True)
    created_by = optional_fk(settings.AUTH_USER_MODEL, "+", _("created by"))
    published_at = optional_moment(_("published at"))
    published_by = optional_fk(settings.AUTH_USER_MODEL, "+", _("published by"))

    class Meta:
        db_table = "followups_scriptversion"
        permissions = [
            ("publish_scriptversion", "Can publish and retire script versions"),
        ]
        verbose_name = _("script version")
        verbose_name_plural = _("script versions")
        ordering = ["script", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["script", "number"], name="version_number_per_script"),
            models.UniqueConstraint(
                fields=["script"],
                condition=models.Q(status="published"),
                name="one_published_version_per_script",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.script} v{self.number}"

    def save(self, *args, **kwargs) -> None:
        # A published text is what agents read and calls recorded: it never changes.
        # Only its status may move on (published → retired).
        if self.pk:
            stored = ScriptVersion.objects.filter(pk=self.pk).values("status", "graph").first()
            if (
                stored
                and stored["status"] != ScriptVersionStatus.DRAFT
                and stored["graph"] != self.graph
            ):
                raise ValidationError(
                    _("A published script version cannot be edited; make a new draft.")
                )
        super().save(*args, **kwargs)

    @property
    def is_published(self) -> bool:
        return self.status == ScriptVersionStatus.PUBLISHED
