"""A person's own account: sign-in links, their data, deleting it."""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.db import transaction
from django.db.models import ProtectedError, RestrictedError
from django.urls import reverse
from django.utils.encoding import force_bytes, force_str
from django.utils.http import urlsafe_base64_decode, urlsafe_base64_encode
from django.utils.translation import gettext as _
from django.utils.translation import override

from garden.core.errors import RuleError

from . import services
from .models import ApiToken, Membership, Profile
from .notifications import email_later
from .tokens import login_link_tokens


def send_login_link(email: str) -> None:
    """Email a one-time sign-in link to every active account with this address.

    Says nothing about whether such an account exists, so the form cannot be
    used to find out who is registered here.
    """
    users = get_user_model().objects.filter(email__iexact=email.strip(), is_active=True)
    minutes = settings.LOGIN_LINK_TIMEOUT // 60
    for user in users:
        # At most one link a minute per person, so the form cannot flood an inbox.
        if not cache.add(f"login-link-sent:{user.pk}", True, timeout=60):
            continue
        path = reverse(
            "login_link",
            kwargs={
                "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
                "token": login_link_tokens.make_token(user),
            },
        )
        profile = Profile.objects.filter(user=user).first()
        with override((profile and profile.language) or services.get_garden().default_language):
            subject = _("Your sign-in link for %(garden)s") % {"garden": services.get_garden()}
            body = _(
                "Hello %(name)s,\n\nopen this link to sign in (it works once, "
                "for %(minutes)d minutes):\n\n%(url)s\n\n"
                "If you did not ask for it, you can ignore this email."
            ) % {
                "name": services.display_name(user),
                "minutes": minutes,
                "url": f"{settings.ALLMENDE_URL}{path}",
            }
        email_later([user.email], subject, body)


def user_from_login_link(uidb64: str, token: str):
    """The user a sign-in link is for, or None if it is wrong, used or expired."""
    try:
        pk = force_str(urlsafe_base64_decode(uidb64))
        user = get_user_model().objects.get(pk=pk, is_active=True)
    except (ValueError, TypeError, OverflowError, get_user_model().DoesNotExist):
        return None
    return user if login_link_tokens.check_token(user, token) else None


def confirms_identity(user, confirmation: str) -> bool:
    """A typed password, or the username for people who sign in by email link."""
    confirmation = confirmation or ""
    if user.has_usable_password() and user.check_password(confirmation):
        return True
    return confirmation.strip() == user.get_username()


@transaction.atomic
def delete_account(user, confirmation: str) -> None:
    """Delete a person and everything that is only theirs; other apps' rows follow on_delete."""
    if not confirms_identity(user, confirmation):
        raise RuleError(_("Please type your password or your username to confirm."))
    garden = services.lock_garden()
    membership = Membership.objects.select_for_update().filter(user=user).first()
    services.ensure_other_coordinator(
        garden,
        membership,
        _(
            "You are the garden's last coordinator. Make someone else coordinator "
            "before you delete your account."
        ),
    )
    try:
        user.delete()
    except (ProtectedError, RestrictedError) as error:
        raise RuleError(
            _("Some of your records must be handed over before your account can be deleted."),
            status=409,
        ) from error


def create_api_token(user, label: str) -> tuple[ApiToken, str]:
    label = (label or "").strip()
    if len(label) > ApiToken._meta.get_field("label").max_length:
        raise RuleError(_("The label is too long."))
    return ApiToken.objects.create_token(user, label)


def members_export(user) -> dict:
    """What the members app holds about a person, for their data download."""
    profile = Profile.objects.filter(user=user).first()
    membership = services.membership_of(user)
    return {
        "account": {
            "username": user.get_username(),
            "email": user.email,
            "date_joined": user.date_joined.isoformat(),
            "last_login": user.last_login.isoformat() if user.last_login else None,
        },
        "profile": {
            "display_name": profile.display_name if profile else "",
            "language": profile.language if profile else "",
            "email_announcements": profile.email_announcements if profile else False,
            "email_notifications": profile.email_notifications if profile else False,
        },
        "membership": membership
        and {
            "role": membership.role,
            "status": membership.status,
            "joined_at": membership.joined_at.isoformat(),
            "rules_accepted_at": membership.rules_accepted_at
            and membership.rules_accepted_at.isoformat(),
        },
        "api_tokens": [
            {
                "label": token.label,
                "prefix": token.prefix,
                "created_at": token.created_at.isoformat(),
                "last_used_at": token.last_used_at and token.last_used_at.isoformat(),
            }
            for token in user.api_tokens.order_by("created_at")
        ],
        "notifications": [
            {
                "kind": n.kind,
                "message": n.message,
                "url": n.url,
                "created_at": n.created_at.isoformat(),
                "read_at": n.read_at and n.read_at.isoformat(),
            }
            for n in user.notifications.order_by("created_at")
        ],
        "announcements_written": [
            {"title": a.title, "body": a.body, "created_at": a.created_at.isoformat()}
            for a in services.get_garden().announcements.filter(author=user).order_by("created_at")
        ],
    }
