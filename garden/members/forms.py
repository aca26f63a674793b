from django import forms
from django.contrib.auth.forms import UserCreationForm
from django.contrib.auth.models import User
from django.utils.translation import gettext_lazy as _

from .models import Profile


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
