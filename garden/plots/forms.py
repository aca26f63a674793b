from django import forms
from django.contrib.auth.models import User
from django.db.models import F
from django.utils.translation import gettext_lazy as _

from garden.core.widgets import QuickSelect
from garden.members.services import active_members

from .models import MAP_COLUMNS, MAP_ROWS, Fee, Plot, PlotPolicy


class PolicyForm(forms.ModelForm):
    class Meta:
        model = PlotPolicy
        fields = (
            "plots_per_member",
            "approval_required",
            "season_end",
            "reminder_days",
            "offer_days",
            "fee",
            "currency",
        )
        widgets = {"season_end": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}


class PlotForm(forms.ModelForm):
    class Meta:
        model = Plot
        fields = ("label", "area_m2", "description", "x", "y", "width", "height")

    def clean(self):
        data = super().clean()
        x, y = data.get("x"), data.get("y")
        width, height = data.get("width"), data.get("height")
        if None not in (x, width) and x + width > MAP_COLUMNS:
            self.add_error("width", _("The plot reaches past the map's right edge."))
        if None not in (y, height) and y + height > MAP_ROWS:
            self.add_error("height", _("The plot reaches past the map's bottom edge."))
        if not self.errors:
            overlapping = Plot.objects.filter(
                x__lt=x + width, x__gt=x - F("width"), y__lt=y + height, y__gt=y - F("height")
            ).exclude(pk=self.instance.pk)
            for other in overlapping[:1]:
                raise forms.ValidationError(
                    _("This overlaps plot %(label)s on the map.") % {"label": other.label}
                )
        return data


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=500, required=False)


class AssignForm(ReasonForm):
    member = forms.ModelChoiceField(
        label=_("Member"), queryset=User.objects.none(), widget=QuickSelect
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["member"].queryset = (
            User.objects.filter(pk__in=active_members().values("user_id"))
            .select_related("profile")
            .order_by("username")
        )
        self.fields["member"].label_from_instance = lambda user: user.profile.name


class FeePaidForm(forms.Form):
    method = forms.ChoiceField(label=_("Paid by"), choices=Fee.Method.choices)
