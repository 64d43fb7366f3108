"""The field shapes the models repeat, each made in one place: a link that keeps the row it
names (PROTECT), a link to the row this one belongs to (CASCADE), a link that may be empty
and is emptied when its row goes (SET_NULL), links to any number of rows, a moment or a day
that may be unset, a JSON object that starts empty, and a row's status. The verbose names
stay at the call sites, where they are read and translated."""

from django.db import models
from django.utils.translation import gettext_lazy as _


def _fk(to, on_delete, related_name, verbose_name, **options) -> models.ForeignKey:
    return models.ForeignKey(
        to, on_delete=on_delete, related_name=related_name, verbose_name=verbose_name, **options
    )


def protected_fk(to, related_name, verbose_name, **options) -> models.ForeignKey:
    """A link to a row that cannot be deleted while this one names it."""
    return _fk(to, models.PROTECT, related_name, verbose_name, **options)


def parent_fk(to, related_name, verbose_name, **options) -> models.ForeignKey:
    """A link to the row this one belongs to: deleting that row deletes this one."""
    return _fk(to, models.CASCADE, related_name, verbose_name, **options)


def optional_fk(
    to, related_name, verbose_name, *, on_delete=models.SET_NULL, **options
) -> models.ForeignKey:
    """A link that may be empty; by default it is emptied when the row it names is deleted."""
    return _fk(to, on_delete, related_name, verbose_name, null=True, blank=True, **options)


def optional_m2m(to, related_name, verbose_name) -> models.ManyToManyField:
    """Links to any number of rows, none included."""
    return models.ManyToManyField(
        to, related_name=related_name, blank=True, verbose_name=verbose_name
    )


def optional_moment(verbose_name, **options) -> models.DateTimeField:
    """A moment not known yet (or never): empty in forms, NULL in the database."""
    return models.DateTimeField(verbose_name, null=True, blank=True, **options)


def optional_day(verbose_name, **options) -> models.DateField:
    """A day not known yet (or never): empty in forms, NULL in the database."""
    return models.DateField(verbose_name, null=True, blank=True, **options)


def json_object(verbose_name=None, **options) -> models.JSONField:
    """A JSON object (a dict) that starts empty and may stay so."""
    return models.JSONField(verbose_name, default=dict, blank=True, **options)


def status_field(choices: type[models.TextChoices], default, max_length: int) -> models.CharField:
    """A row's status, one of `choices`, starting at `default`."""
    return models.CharField(
        _("status"), max_length=max_length, choices=choices.choices, default=default
    )
