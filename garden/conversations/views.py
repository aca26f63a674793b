"""Pages: a whole thread, writing, editing and hiding messages, following a thread."""

from django.contrib import messages as flash
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from garden.core.errors import RuleError
from garden.members.permissions import coordinator_required, member_required
from garden.members.services import get_garden

from . import services
from .forms import HideForm, MessageForm
from .models import Message
from .targets import target, target_url

PAGE_SIZE = 50


def _next(request, fallback: str):
    target_path = request.POST.get("next", "")
    if target_path.startswith("/") and not target_path.startswith("//"):
        return redirect(target_path)
    return redirect(fallback)


def _subject(kind: str, object_id: int):
    obj = target(kind, object_id)
    if obj is None:
        raise Http404
    return obj


@member_required
def thread(request, kind: str, object_id: int):
    subject = _subject(kind, object_id)
    form = MessageForm(request.POST or None)
    if request.method == "POST":
        if form.is_valid():
            try:
                services.post(kind, object_id, request.user, form.cleaned_data["body"])
            except RuleError as error:
                flash.error(request, error.message)
            else:
                flash.success(request, _("Your message is posted."))
                return _next(request, request.path)
        else:
            flash.error(request, " ".join(form.errors.get("body", [])))
        if request.POST.get("next"):
            return _next(request, request.path)
    found = services.find_thread(kind, object_id)
    page = Paginator(
        found.messages.select_related("author__profile") if found else Message.objects.none(),
        PAGE_SIZE,
    ).get_page(request.GET.get("page"))
    return render(
        request,
        "conversations/thread.html",
        {
            "subject": subject,
            "subject_url": target_url(kind, object_id),
            "kind": kind,
            "object_id": object_id,
            "page": page,
            "form": form,
            "following": services.is_following(kind, object_id, request.user),
            "garden_tz": get_garden().tz,
        },
    )


@member_required
@require_POST
def follow(request, kind: str, object_id: int):
    _subject(kind, object_id)
    wanted = request.POST.get("follow") == "1"
    services.set_following(kind, object_id, request.user, wanted)
    flash.success(
        request,
        _("You get emails about new messages here.") if wanted else _("No more emails about this."),
    )
    return _next(request, target_url(kind, object_id))


def _message(pk: int) -> Message:
    return get_object_or_404(Message.objects.select_related("thread"), pk=pk)


@member_required
def message_edit(request, pk: int):
    message = _message(pk)
    back = target_url(message.thread.kind, message.thread.object_id)
    if message.author_id != request.user.pk or message.hidden:
        flash.error(request, _("Only the author can edit a message."))
        return redirect(back)
    form = MessageForm(request.POST or None, initial={"body": message.body})
    if request.method == "POST" and form.is_valid():
        try:
            services.edit(message.pk, request.user, form.cleaned_data["body"])
        except RuleError as error:
            form.add_error(None, error.message)
        else:
            flash.success(request, _("Your message is changed."))
            return redirect(back)
    return render(
        request, "conversations/edit.html", {"form": form, "message": message, "back": back}
    )


@coordinator_required
def message_hide(request, pk: int):
    message = _message(pk)
    back = target_url(message.thread.kind, message.thread.object_id)
    form = HideForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.hide(message.pk, request.user, form.cleaned_data["reason"])
        except RuleError as error:
            form.add_error(None, error.message)
        else:
            flash.success(request, _("The message is hidden."))
            return redirect(back)
    return render(
        request, "conversations/hide.html", {"form": form, "message": message, "back": back}
    )
