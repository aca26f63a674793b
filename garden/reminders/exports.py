"""What this app holds about a person, for their data download."""

from .models import EmailReminders, PushSubscription


def export_reminders(user) -> dict:
    emails = EmailReminders.objects.filter(user=user).first()
    return {
        "email": {
            "tomorrow": emails.tomorrow if emails else True,
            "offers_digest": emails.offers_digest if emails else False,
        },
        "push_devices": [
            {
                "endpoint": device.endpoint,
                "created_at": device.created_at.isoformat(),
                "reminder_hours": device.reminder_hours,
                **{kind: getattr(device, kind) for kind in PushSubscription.KINDS},
            }
            for device in PushSubscription.objects.filter(user=user)
        ],
    }
