from django.utils import timezone

from garden.members import services as members


def rendered_at(request) -> dict:
    """When this page was rendered, in the garden's time: the "as of" line a page shows when
    the service worker serves it from its cache."""
    if not request.user.is_authenticated:
        return {}
    now = timezone.now()
    try:
        tz = members.get_garden().tz
    except (ValueError, KeyError):  # a time zone being corrected on the settings page
        tz = timezone.get_default_timezone()
    # Naive, so the template's date filters show the garden's time and do not convert it.
    return {"rendered_at": timezone.localtime(now, tz).replace(tzinfo=None)}
