from datetime import timedelta
from decimal import Decimal

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from garden.core.errors import RuleError

from . import services
from .models import MAX_QUANTITY, Offer, SharingSettings, Tool


class DateTimeLocalInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%dT%H:%M", **kwargs)


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


PHOTO_HELP = _("Optional. JPEG, PNG or WebP, at most 3 MB.")


class OfferForm(forms.ModelForm):
    remove_photo = forms.BooleanField(label=_("Remove the photo"), required=False)

    class Meta:
        model = Offer
        fields = (
            "crop",
            "quantity",
            "unit",
            "pickup_from",
            "pickup_until",
            "pickup_place",
            "expires_at",
            "audience",
            "photo",
        )
        widgets = {
            "pickup_from": DateTimeLocalInput(),
            "pickup_until": DateTimeLocalInput(),
            "expires_at": DateTimeLocalInput(),
            "audience": forms.RadioSelect,
            "photo": forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}),
        }
        help_texts = {"photo": PHOTO_HELP}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.instance.pk:
            start = timezone.localtime().replace(minute=0, second=0, microsecond=0)
            self.initial.setdefault("pickup_from", start + timedelta(hours=1))
            self.initial.setdefault("pickup_until", start + timedelta(days=1, hours=1))
            self.initial.setdefault("expires_at", start + timedelta(days=2, hours=1))
        if not self.instance.photo:
            del self.fields["remove_photo"]
        self.fields["photo"].widget = forms.FileInput(
            attrs={"accept": "image/jpeg,image/png,image/webp"}
        )


class ClaimForm(forms.Form):
    quantity = forms.DecimalField(
        label=_("How much?"),
        min_value=Decimal("0.01"),
        max_value=MAX_QUANTITY,
        decimal_places=2,
    )


class NearbyFilterForm(forms.Form):
    crop = forms.CharField(label=_("Crop"), required=False, max_length=80)
    garden = forms.ChoiceField(label=_("Garden"), required=False)
    max_km = forms.FloatField(label=_("Within (km)"), required=False, min_value=0)
    min_left = forms.DecimalField(
        label=_("At least (quantity left)"), required=False, min_value=0, decimal_places=2
    )
    pickup_on = forms.DateField(label=_("Pickup on"), required=False, widget=DateInput())

    def __init__(self, *args, gardens=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["garden"].choices = [
            ("", _("All gardens")),
            ("here", _("Our garden")),
            *gardens,
        ]

    def clean_pickup_on(self):
        day = self.cleaned_data.get("pickup_on")
        if day is not None:
            try:
                services.check_pickup_day(day)
            except RuleError as error:
                raise forms.ValidationError(error.message) from error
        return day


class ToolForm(forms.ModelForm):
    remove_photo = forms.BooleanField(label=_("Remove the photo"), required=False)

    class Meta:
        model = Tool
        fields = (
            "name",
            "description",
            "condition",
            "photo",
            "lend_to_members",
            "lend_to_neighbours",
        )
        help_texts = {"photo": PHOTO_HELP}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.instance.photo:
            del self.fields["remove_photo"]
        self.fields["photo"].widget = forms.FileInput(
            attrs={"accept": "image/jpeg,image/png,image/webp"}
        )


class LoanRequestForm(forms.Form):
    start_date = forms.DateField(label=_("From"), widget=DateInput())
    end_date = forms.DateField(label=_("Until"), widget=DateInput())
    note = forms.CharField(
        label=_("Message"), required=False, max_length=500, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        today = timezone.localdate()  # the views run in the garden's time zone
        self.initial.setdefault("start_date", today)
        self.initial.setdefault("end_date", today + timedelta(days=1))


class ReturnForm(forms.Form):
    condition = forms.ChoiceField(
        label=_("Condition now"),
        choices=[("", _("Unchanged")), *Tool.Condition.choices],
        required=False,
    )
    condition_note = forms.CharField(label=_("Condition on return"), required=False, max_length=500)


class SettingsForm(forms.ModelForm):
    class Meta:
        model = SharingSettings
        fields = ("share_radius_km", "hop_limit", "claims_from_peers_only")
