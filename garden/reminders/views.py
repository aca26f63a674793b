"""The reminders page: email reminders, and push per device (static/js/push.js)."""

from django.contrib import messages
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from garden.core.errors import RuleError
from garden.members.permissions import member_required

from . import services, vapid
from .forms import EmailRemindersForm, PushChoicesForm
from .models import PushSubscription


@member_required
def settings_page(request):
    reminders = services.email_reminders(request.user)
    form = EmailRemindersForm(request.POST or None, instance=reminders)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Your email reminders are saved."))
        return redirect("reminders:settings")
    return render(
        request,
        "reminders/settings.html",
        {
            "form": form,
            "push_form": PushChoicesForm(instance=PushSubscription()),
            "public_key": vapid.public_key(),
            "devices": request.user.push_subscriptions.count(),
        },
        status=400 if form.errors else 200,
    )


def _refused(message: str, status: int = 400) -> JsonResponse:
    return JsonResponse({"detail": message}, status=status)


@require_POST
@member_required
def push_subscribe(request):
    form = PushChoicesForm(request.POST)
    if not form.is_valid():
        field, errors = next(iter(form.errors.items()))
        # The field's label as the page shows it (a bare field name is its pretty name).
        label = form[field].label if field in form.fields else field
        return _refused(f"{label}: {errors[0]}")
    data = form.cleaned_data
    try:
        services.subscribe(
            request.user,
            endpoint=data["endpoint"],
            p256dh=data["p256dh"],
            auth=data["auth"],
            choices={kind: data[kind] for kind in [*PushSubscription.KINDS, "reminder_hours"]},
        )
    except RuleError as error:
        return _refused(error.message, error.status)
    return JsonResponse({"detail": _("Push notifications are on for this device.")})


@require_POST
@member_required
def push_unsubscribe(request):
    services.unsubscribe(request.user, request.POST.get("endpoint", ""))
    return JsonResponse({"detail": _("Push notifications are off for this device.")})


@member_required
def push_device(request):
    """What the device with this endpoint (one of mine) has chosen, for the page's form."""
    endpoint = request.GET.get("endpoint", "")
    device = request.user.push_subscriptions.filter(endpoint=endpoint).first()
    if device is None:
        return JsonResponse({"subscribed": False})
    choices = {kind: getattr(device, kind) for kind in PushSubscription.KINDS}
    return JsonResponse({"subscribed": True, "reminder_hours": device.reminder_hours, **choices})
