from django.conf import settings
from django.db import DatabaseError
from django.utils import translation
from django.utils.translation.trans_real import parse_accept_lang_header

from . import services


def _browser_language(request) -> str | None:
    """A language we support from the language cookie or Accept-Language, else None."""
    candidates = [request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")]
    candidates += [
        code for code, _q in parse_accept_lang_header(request.headers.get("Accept-Language", ""))
    ]
    for code in candidates:
        if not code or code == "*":
            continue
        try:
            return translation.get_supported_language_variant(code)
        except LookupError:
            continue
    return None


def _garden_language() -> str | None:
    try:
        return services.get_garden().default_language
    except DatabaseError:  # /healthz must still answer when the database is down
        return None


class ProfileLanguageMiddleware:
    """The language of a page: the member's profile, else the browser's, else the garden's.

    Runs after LocaleMiddleware, which has already picked the browser's language
    or fallen back to LANGUAGE_CODE.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path_info.startswith(settings.LANGUAGE_NEUTRAL_PATHS):
            return self.get_response(request)
        language = self._profile_language(request)
        if language is None and _browser_language(request) is None:
            language = _garden_language()
        if language:
            translation.activate(language)
            request.LANGUAGE_CODE = language
        return self.get_response(request)

    @staticmethod
    def _profile_language(request) -> str | None:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            profile = getattr(user, "profile", None)
            if profile is not None and profile.language:
                return profile.language
        return None


class RequestGardenMiddleware:
    """get_garden() reads the garden's row once per request, not once per call."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        with services.garden_read_once():
            return self.get_response(request)
