"""One-time sign-in links sent by email.

The token hashes the user's last login, so signing in with it (which updates
last_login) spends it; it also expires after ``settings.LOGIN_LINK_TIMEOUT`` seconds.
"""

from django.conf import settings
from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.utils.http import base36_to_int


class LoginLinkTokenGenerator(PasswordResetTokenGenerator):
    key_salt = "garden.members.tokens.LoginLinkTokenGenerator"

    def _make_hash_value(self, user, timestamp: int) -> str:
        login_timestamp = (
            "" if user.last_login is None else user.last_login.replace(microsecond=0, tzinfo=None)
        )
        return f"{user.pk}{user.password}{login_timestamp}{user.email}{user.is_active}{timestamp}"

    def check_token(self, user, token) -> bool:
        if not user or not token or not super().check_token(user, token):
            return False
        try:
            issued = base36_to_int(token.split("-")[0])
        except ValueError:
            return False
        return self._num_seconds(self._now()) - issued <= settings.LOGIN_LINK_TIMEOUT


login_link_tokens = LoginLinkTokenGenerator()
