"""The calling policy's form and its windows: the days of the week ticked on the page, and
each window checked against the policy's quiet hours (followups.scheduling.window_fit)."""

from django import forms
from django.utils.dates import WEEKDAYS
from django.utils.translation import gettext_lazy as _

from followups.forms import RulesFormSet, _rules_formset, _time_input
from followups.models import CallingPolicy, CallingWindow
from followups.scheduling import WindowFit, window_fit


class CallingPolicyForm(forms.ModelForm):
    # Stored as the digits of the days ("0123456", 0 Monday); ticked on the page.
    weekdays = forms.TypedMultipleChoiceField(
        label=_("calling days"),
        choices=sorted(WEEKDAYS.items()),
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Days of the week calls are made; public holidays follow the holiday rule."),
        error_messages={"required": _("Tick at least one day of the week.")},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.initial["weekdays"] = [int(day) for day in self.instance.weekdays]

    def clean_weekdays(self) -> str:
        return "".join(str(day) for day in sorted(set(self.cleaned_data["weekdays"])))

    class Meta:
        model = CallingPolicy
        fields = [
            "name",
            "timezone",
            "weekdays",
            "holiday_rule",
            "quiet_before",
            "quiet_after",
            "is_default",
        ]
        widgets = {
            "quiet_before": _time_input(),
            "quiet_after": _time_input(),
        }

    def clean_is_default(self):
        is_default = self.cleaned_data["is_default"]
        others = CallingPolicy.objects.filter(is_default=True).exclude(pk=self.instance.pk)
        if is_default and others.exists():
            raise forms.ValidationError(
                _("%(name)s is already the default policy: unset it there first.")
                % {"name": others.first().name}
            )
        return is_default


class CallingWindowForm(forms.ModelForm):
    """A window of its policy (`policy`, whose quiet hours the form reads as posted)."""

    class Meta:
        model = CallingWindow
        fields = ["starts_at", "ends_at"]
        widgets = {
            "starts_at": _time_input(),
            "ends_at": _time_input(),
        }

    def __init__(self, *args, policy: CallingPolicy | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.policy = policy

    def clean(self):
        data = super().clean()
        start, end = data.get("starts_at"), data.get("ends_at")
        before = getattr(self.policy, "quiet_before", None)
        after = getattr(self.policy, "quiet_after", None)
        if start is None or end is None or before is None or after is None or before >= after:
            return data
        fit = window_fit(start, end, quiet_before=before, quiet_after=after)
        hours = {"before": f"{before:%H:%M}", "after": f"{after:%H:%M}"}
        if fit is WindowFit.CROSSES_MIDNIGHT:
            if before <= start < after and before < end <= after:
                # Both times lie in the calling day (14:00–13:00): the end is simply set
                # before the start; no one meant a window through the night.
                message = _(
                    "This window ends (%(end)s) before it starts (%(start)s): set an end "
                    "after %(start)s."
                ) % {"start": f"{start:%H:%M}", "end": f"{end:%H:%M}"}
            else:
                message = (
                    _(
                        "A window cannot cross midnight: quiet hours stop calls at %(after)s "
                        "and allow them again at %(before)s. End the window by %(after)s."
                    )
                    % hours
                )
            self.add_error("ends_at", message)
            # A saved window keeps its saved times on the instance: without its new start
            # too, the model's own check would compare that start with the end saved before
            # and say the same thing again in other words. A new window has no end to
            # compare, and needs its start (else the model calls it missing).
            if self.instance.ends_at is not None:
                data.pop("starts_at", None)
        elif fit is WindowFit.IN_QUIET_HOURS:
            self.add_error(
                "starts_at",
                _(
                    "This window lies in quiet hours (no calls before %(before)s or from "
                    "%(after)s), so it would never be called: move it between %(before)s and "
                    "%(after)s."
                )
                % hours,
            )
        elif fit is WindowFit.REACHES_INTO_QUIET_HOURS:
            self.add_error(
                "starts_at" if start < before else "ends_at",
                _(
                    "This window reaches into quiet hours: calls are made from %(before)s to "
                    "%(after)s only. Keep the window between those times."
                )
                % hours,
            )
        return data


class BaseCallingWindowFormSet(RulesFormSet):
    def get_form_kwargs(self, index):
        # The policy's quiet hours as its form posted them: the windows are checked after it.
        return {**super().get_form_kwargs(index), "policy": self.instance}

    def check_rules(self):
        kept = [
            form
            for form in self.forms
            if getattr(form, "cleaned_data", None)
            and not form.cleaned_data.get("DELETE")
            and form.cleaned_data.get("starts_at")
            and form.cleaned_data.get("ends_at")
            and form.cleaned_data["starts_at"] < form.cleaned_data["ends_at"]
        ]
        kept.sort(key=lambda form: form.cleaned_data["starts_at"])
        for earlier, later in zip(kept, kept[1:], strict=False):
            if later.cleaned_data["starts_at"] < earlier.cleaned_data["ends_at"]:
                later.add_error(
                    "starts_at",
                    _("This window overlaps the window %(start)s–%(end)s.")
                    % {
                        "start": earlier.cleaned_data["starts_at"].strftime("%H:%M"),
                        "end": earlier.cleaned_data["ends_at"].strftime("%H:%M"),
                    },
                )


CallingWindowFormSet = _rules_formset(
    CallingPolicy, CallingWindow, CallingWindowForm, BaseCallingWindowFormSet, extra=1
)
