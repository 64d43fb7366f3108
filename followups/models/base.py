"""What several models share: when a row was made and last changed."""

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
