from django import forms
from django.conf import settings
from django.contrib.auth.forms import UserCreationForm
from django.contrib.auth.models import User
from django.utils.translation import gettext_lazy as _

from . import services
from .models import Announcement, Garden, Profile


class SignupForm(UserCreationForm):
    email = forms.EmailField(
        label=_("Email"), help_text=_("For password resets, sign-in links and reminders.")
    )
    display_name = forms.CharField(
        label=_("Display name"),
        max_length=80,
        required=False,
        help_text=_("Shown to other gardeners. Your username and email stay private."),
    )

    class Meta(UserCreationForm.Meta):
        model = User
        fields = ("username", "email")

    def clean_email(self) -> str:
        email = self.cleaned_data["email"].strip()
        if User.objects.filter(email__iexact=email).exists():
            raise forms.ValidationError(_("An account with this email address already exists."))
        return email


class JoinForm(forms.Form):
    accept_rules = forms.BooleanField(label=_("I accept the garden rules"), required=False)
    invite_code = forms.CharField(widget=forms.HiddenInput, required=False)


class ProfileForm(forms.ModelForm):
    class Meta:
        model = Profile
        fields = ("display_name", "language", "email_announcements", "email_notifications")

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["language"].choices = [("", _("As my browser says")), *settings.LANGUAGES]


class LoginLinkForm(forms.Form):
    email = forms.EmailField(label=_("Email"))


class ApiTokenForm(forms.Form):
    label = forms.CharField(
        label=_("What is this token for?"),
        max_length=80,
        required=False,
        help_text=_("For example: my phone, a watering script."),
    )


class DeleteAccountForm(forms.Form):
    confirmation = forms.CharField(
        label=_("Your password or your username"),
        widget=forms.PasswordInput(render_value=False),
        help_text=_("Type it to confirm. This cannot be undone."),
    )


class GardenSettingsForm(forms.ModelForm):
    class Meta:
        model = Garden
        fields = services.GARDEN_SETTINGS
        widgets = {
            "description": forms.Textarea(attrs={"rows": 4}),
            "rules": forms.Textarea(attrs={"rows": 6}),
            "latitude": forms.NumberInput(attrs={"step": "any", "inputmode": "decimal"}),
            "longitude": forms.NumberInput(attrs={"step": "any", "inputmode": "decimal"}),
            "timezone": forms.TextInput(attrs={"list": "timezones", "autocomplete": "off"}),
        }
        help_texts = {
            "timezone": _("For example Europe/Berlin."),
            "rules": _("New members accept these when they join."),
        }


class InviteForm(forms.Form):
    days = forms.IntegerField(
        label=_("Valid for (days)"), min_value=1, max_value=services.INVITE_MAX_DAYS, initial=14
    )
    max_uses = forms.IntegerField(
        label=_("How many people may use it"),
        min_value=1,
        max_value=services.INVITE_MAX_USES,
        initial=1,
    )


class AnnouncementForm(forms.ModelForm):
    class Meta:
        model = Announcement
        fields = ("title", "body", "public")
        widgets = {"body": forms.Textarea(attrs={"rows": 5})}
