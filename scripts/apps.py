from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ScriptsConfig(AppConfig):
    """The call-script app: versioned scripts an agent reads on a call."""

    name = "scripts"
    verbose_name = _("Call scripts")
