from django import forms
from django.utils.translation import gettext_lazy as _

from .models import MAX_BODY, MAX_HIDE_REASON


class MessageForm(forms.Form):
    body = forms.CharField(
        label=_("Your message"),
        max_length=MAX_BODY,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "Plain text; links become clickable. Name someone with @username to tell them."
        ),
    )


class HideForm(forms.Form):
    reason = forms.CharField(label=_("Why is it hidden?"), max_length=MAX_HIDE_REASON)
