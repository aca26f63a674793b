import datetime as dt

from django import forms
from django.contrib.auth.models import User
from django.utils.translation import gettext_lazy as _

from garden.core.widgets import QuickSelect
from garden.members import services as members

from .models import WEEKDAYS, Schedule, Shift, ShiftSettings, Skill, Task
from .services import SHAPE_FIELDS, local_datetime


def _skills_only(form: forms.ModelForm, garden) -> None:
    form.fields["required_skill"].queryset = Skill.objects.filter(garden=garden)


class ScheduleForm(forms.ModelForm):
    weekdays = forms.TypedMultipleChoiceField(
        label=_("Weekdays"),
        choices=WEEKDAYS,
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = Schedule
        fields = (
            "title",
            "weekdays",
            "start_time",
            "end_time",
            *SHAPE_FIELDS[1:],
            "starts_on",
            "ends_on",
            "active",
        )
        widgets = {
            "start_time": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
            "end_time": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
            "starts_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "ends_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "description": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, garden, **kwargs):
        super().__init__(*args, **kwargs)
        _skills_only(self, garden)
        if self.instance.pk:
            self.initial["weekdays"] = self.instance.weekday_numbers

    def clean_weekdays(self) -> str:
        return "".join(str(d) for d in sorted(set(self.cleaned_data["weekdays"])))

    def clean(self):
        data = super().clean()
        start, end = data.get("start_time"), data.get("end_time")
        if start and end and end <= start:
            self.add_error("end_time", _("A shift must end after it starts."))
        low, high = data.get("min_volunteers"), data.get("max_volunteers")
        if low and high and high < low:
            self.add_error(
                "max_volunteers",
                _("The maximum must not be lower than the number of volunteers needed."),
            )
        return data


class OneOffShiftForm(forms.ModelForm):
    day = forms.DateField(label=_("Day"), widget=forms.DateInput(attrs={"type": "date"}))
    start_time = forms.TimeField(
        label=_("Starts at"), widget=forms.TimeInput(attrs={"type": "time"})
    )
    end_time = forms.TimeField(label=_("Ends at"), widget=forms.TimeInput(attrs={"type": "time"}))

    class Meta:
        model = Shift
        fields = ("title", "day", "start_time", "end_time", *SHAPE_FIELDS[1:])
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, garden, **kwargs):
        super().__init__(*args, **kwargs)
        self.garden = garden
        _skills_only(self, garden)

    def clean(self):
        data = super().clean()
        day, start, end = data.get("day"), data.get("start_time"), data.get("end_time")
        if day and start and end:
            if end <= start:
                self.add_error("end_time", _("A shift must end after it starts."))
            else:
                data["start"] = local_datetime(day, start, self.garden.tz)
                data["end"] = local_datetime(day, end, self.garden.tz)
        return data


class CancelForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason (sent to the volunteers)"), max_length=300, required=False
    )


class NoteForm(forms.Form):
    note = forms.CharField(
        label=_("Note (optional)"),
        max_length=500,
        required=False,
        help_text=_("For example: tank empty, hose leaking."),
    )


class SettingsForm(forms.ModelForm):
    class Meta:
        model = ShiftSettings
        fields = ("required_hours", "season_start_month", "withdraw_cutoff_hours", "weeks_ahead")


class SkillForm(forms.ModelForm):
    class Meta:
        model = Skill
        fields = ("name", "description")


def member_choices(garden):
    return (
        User.objects.filter(membership__in=members.active_members(garden))
        .select_related("profile")
        .order_by("profile__display_name", "username")
    )


class MemberChoiceField(forms.ModelChoiceField):
    widget = QuickSelect

    def label_from_instance(self, obj) -> str:
        return obj.profile.name


class GrantForm(forms.Form):
    user = MemberChoiceField(label=_("Member"), queryset=User.objects.none())

    def __init__(self, *args, garden, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = member_choices(garden)


class HoursForm(GrantForm):
    hours = forms.DecimalField(
        label=_("Hours"),
        max_digits=6,
        decimal_places=2,
        help_text=_("Negative to correct a mistake, e.g. -1.5."),
    )
    reason = forms.CharField(label=_("Reason"), max_length=300)
    date = forms.DateField(
        label=_("Date"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def clean_hours(self):
        hours = self.cleaned_data["hours"]
        if hours == 0:
            raise forms.ValidationError(_("Enter a number of hours other than zero."))
        return hours


class TaskForm(forms.ModelForm):
    class Meta:
        model = Task
        fields = ("title", "description", "due_date", "plot", "where", "hours")
        widgets = {
            "due_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "description": forms.Textarea(attrs={"rows": 4}),
            "plot": QuickSelect,
        }

    def clean_due_date(self):
        due = self.cleaned_data.get("due_date")
        if due and due < dt.date(2000, 1, 1):
            raise forms.ValidationError(_("Enter a realistic date."))
        return due
