from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from garden.core.errors import RuleError

from . import csvio, services
from .models import Crop, HarvestLog, Unit


class QuantityField(forms.Field):
    """A quantity written with a decimal point or a decimal comma (1.5 or 1,5)."""

    widget = forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off", "size": 8})

    def to_python(self, value) -> Decimal | None:
        value = str(value or "").strip()[:30]
        if not value:
            return None
        try:
            return csvio.parse_decimal(value)
        except RuleError as error:
            raise forms.ValidationError(error.message) from None


class HarvestForm(forms.Form):
    crop = forms.ModelChoiceField(
        label=_("Crop"), queryset=Crop.objects.none(), required=False, empty_label="—"
    )
    new_crop = forms.CharField(
        label=_("…or a crop that is not on the list yet"),
        max_length=80,
        required=False,
        help_text=_("It is added to the garden's crop list."),
    )
    quantity = QuantityField(label=_("Quantity"))
    unit = forms.ChoiceField(label=_("Unit"), choices=Unit.choices, initial=Unit.KG)
    date = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}))
    plot_label = forms.CharField(
        label=_("Plot"), max_length=40, required=False, help_text=_("For example: B7.")
    )
    donated_to = forms.CharField(
        label=_("Given away to"),
        max_length=120,
        required=False,
        help_text=_("Leave empty if you kept it. For example: the food bank."),
    )
    note = forms.CharField(label=_("Note"), max_length=500, required=False, widget=forms.Textarea)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["crop"].queryset = services.crops()
        self.fields["date"].widget.attrs["max"] = services.today().isoformat()

    @classmethod
    def for_log(cls, log: HarvestLog, data=None) -> "HarvestForm":
        initial = {
            "crop": log.crop_id,
            "quantity": format(log.quantity.normalize(), "f"),
            "unit": log.unit,
            "date": log.date,
            "plot_label": log.plot_label,
            "donated_to": log.donated_to,
            "note": log.note,
        }
        return cls(data, initial=initial)

    def clean(self):
        cleaned = super().clean()
        crop, new_crop = cleaned.get("crop"), (cleaned.get("new_crop") or "").strip()
        if crop is None and not new_crop:
            self.add_error("crop", _("Choose a crop or name a new one."))
        elif crop is not None and new_crop:
            self.add_error(
                "new_crop", _("Choose a crop from the list or name a new one, not both.")
            )
        return cleaned

    def log_data(self) -> dict:
        return {k: v for k, v in self.cleaned_data.items() if k != "new_crop"}


class CropForm(forms.Form):
    name = forms.CharField(label=_("New crop"), max_length=80)


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("CSV file"),
        help_text=_(
            "Columns: date, crop, quantity, unit, and optionally plot, donated_to, note. "
            "At most 2 MB."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}),
    )
    add_unknown_crops = forms.BooleanField(
        label=_("Add crops that are not on the list yet"), required=False
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > csvio.MAX_IMPORT_BYTES:
            raise forms.ValidationError(
                _("The file is too large (at most %(size)d MB).")
                % {"size": csvio.MAX_IMPORT_BYTES // (1024 * 1024)}
            )
        return upload
