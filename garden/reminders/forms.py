from django import forms

from .models import EmailReminders, PushSubscription


class EmailRemindersForm(forms.ModelForm):
    class Meta:
        model = EmailReminders
        fields = ["tomorrow", "offers_digest"]


class PushChoicesForm(forms.ModelForm):
    """What one device wants; sent by static/js/push.js with the device's subscription."""

    endpoint = forms.CharField(max_length=1000)
    p256dh = forms.CharField(max_length=200)
    auth = forms.CharField(max_length=100)

    class Meta:
        model = PushSubscription
        fields = [*PushSubscription.KINDS, "reminder_hours"]
