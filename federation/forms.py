from django import forms
from django.utils.translation import gettext_lazy as _

from .models import FederationSettings, Peer


class AddPeerForm(forms.Form):
    address = forms.CharField(
        label=_("Garden address"),
        max_length=300,
        help_text=_("Its domain, web address (https://…) or its @name@host address."),
    )


class FederationSettingsForm(forms.ModelForm):
    class Meta:
        model = FederationSettings
        fields = ["auto_accept_km", "suggest_within_km", "publish_peers", "listable"]


class IntroduceForm(forms.Form):
    """Two of our peers, to be recommended to each other."""

    peer = forms.ModelChoiceField(
        label=_("Introduce"), queryset=Peer.objects.filter(state=Peer.State.ACCEPTED)
    )
    to_peer = forms.ModelChoiceField(
        label=_("to"), queryset=Peer.objects.filter(state=Peer.State.ACCEPTED)
    )


class FollowerPolicyForm(forms.ModelForm):
    class Meta:
        model = FederationSettings
        fields = ["accept_followers"]
