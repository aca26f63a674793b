from django import forms
from django.utils.translation import gettext_lazy as _

from .models import FederationSettings


class AddPeerForm(forms.Form):
    address = forms.CharField(
        label=_("Garden address"),
        max_length=300,
        help_text=_("Its web address (https://…) or its @name@host address."),
    )


class FederationSettingsForm(forms.ModelForm):
    class Meta:
        model = FederationSettings
        fields = ["auto_accept_km"]


class FollowerPolicyForm(forms.ModelForm):
    class Meta:
        model = FederationSettings
        fields = ["accept_followers"]
