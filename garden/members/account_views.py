"""Pages about one's own account: sign-in links, profile, tokens, data, deletion."""

import json

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import PasswordResetForm
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template import loader
from django.urls import reverse_lazy
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from garden.core.errors import RuleError

from . import accounts
from .exports import export_user_data
from .forms import ApiTokenForm, DeleteAccountForm, LoginLinkForm, ProfileForm
from .notifications import email_later


class QueuedPasswordResetForm(PasswordResetForm):
    """Django's reset form, but the email goes out through the background worker."""

    def send_mail(
        self,
        subject_template_name,
        email_template_name,
        context,
        from_email,
        to_email,
        html_email_template_name=None,
    ) -> None:
        # Links point at the public URL, not at whatever host the proxy passed on.
        context = {**context, "base_url": settings.ALLMENDE_URL}
        subject = "".join(loader.render_to_string(subject_template_name, context).splitlines())
        body = loader.render_to_string(email_template_name, context)
        email_later([to_email], subject, body)


password_reset = auth_views.PasswordResetView.as_view(
    form_class=QueuedPasswordResetForm,
    template_name="members/password_reset_form.html",
    email_template_name="members/email/password_reset.txt",
    subject_template_name="members/email/password_reset_subject.txt",
    success_url=reverse_lazy("password_reset_done"),
)
password_reset_done = auth_views.PasswordResetDoneView.as_view(
    template_name="members/password_reset_done.html"
)
password_reset_confirm = auth_views.PasswordResetConfirmView.as_view(
    template_name="members/password_reset_confirm.html",
    success_url=reverse_lazy("password_reset_complete"),
)
password_reset_complete = auth_views.PasswordResetCompleteView.as_view(
    template_name="members/password_reset_complete.html"
)
password_change = auth_views.PasswordChangeView.as_view(
    template_name="members/password_change.html", success_url=reverse_lazy("profile")
)


def login_link_request(request):
    form = LoginLinkForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        accounts.send_login_link(form.cleaned_data["email"])
        return redirect("login_link_sent")
    return render(request, "members/login_link_request.html", {"form": form})


def login_link_sent(request):
    return render(request, "members/login_link_sent.html")


def login_link(request, uidb64: str, token: str):
    """Opening the link shows a button; only the POST signs in, so mail scanners that
    follow links cannot spend it."""
    user = accounts.user_from_login_link(uidb64, token)
    if user is None:
        return render(request, "members/login_link_invalid.html", status=400)
    if request.method == "POST":
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        messages.success(request, _("You are signed in."))
        return redirect("home")
    return render(request, "members/login_link_confirm.html", {"link_user": user})


def _profile_page(request, form=None, token_form=None, new_secret=None, status=200):
    return render(
        request,
        "members/profile.html",
        {
            "form": form or ProfileForm(instance=request.user.profile),
            "token_form": token_form or ApiTokenForm(),
            "tokens": request.user.api_tokens.order_by("-created_at"),
            "new_secret": new_secret,
        },
        status=status,
    )


@login_required
def profile(request):
    if request.method != "POST":
        return _profile_page(request)
    form = ProfileForm(request.POST, instance=request.user.profile)
    if not form.is_valid():
        return _profile_page(request, form=form, status=400)
    form.save()
    messages.success(request, _("Your profile was saved."))
    return redirect("profile")


@login_required
@require_POST
def token_create(request):
    form = ApiTokenForm(request.POST)
    if not form.is_valid():
        return _profile_page(request, token_form=form, status=400)
    _token, secret = accounts.create_api_token(request.user, form.cleaned_data["label"])
    # The secret is shown on this one response and never again.
    return _profile_page(request, new_secret=secret)


@login_required
@require_POST
def token_revoke(request, pk: int):
    token = get_object_or_404(request.user.api_tokens, pk=pk)
    token.delete()
    messages.success(request, _("The token was revoked."))
    return redirect("profile")


@login_required
def data_download(request):
    data = export_user_data(request.user)
    response = HttpResponse(
        json.dumps(data, indent=2, ensure_ascii=False, default=str),
        content_type="application/json; charset=utf-8",
    )
    stamp = timezone.now().strftime("%Y-%m-%d")
    response["Content-Disposition"] = (
        f'attachment; filename="allmende-{request.user.get_username()}-{stamp}.json"'
    )
    return response


@login_required
def delete_account(request):
    form = DeleteAccountForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            accounts.delete_account(request.user, form.cleaned_data["confirmation"])
        except RuleError as error:
            form.add_error(None, error.message)
        else:
            logout(request)
            messages.success(request, _("Your account and your data were deleted."))
            return redirect("home")
    status = 400 if form.errors else 200
    return render(request, "members/delete_account.html", {"form": form}, status=status)
