"""What several models share: when a row was made and last changed, and a name that
lists and shows the row."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Created(models.Model):
    """A row that keeps when it was made."""

    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        abstract = True


class Timestamped(Created):
    """A row that keeps when it was made and when it was last changed."""

    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        abstract = True


class Named(models.Model):
    """A row people pick by its name (a hospital, a plan, a team): one of a kind, listed and
    shown by it. A row whose names run longer declares its own `name`."""

    name = models.CharField(_("name"), max_length=80, unique=True)

    class Meta:
        abstract = True
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name
