from . import services


def garden(request) -> dict:
    """The garden and the visitor's place in it, for the base layout."""
    membership = services.membership_of(request.user)
    unread = 0
    if request.user.is_authenticated:
        unread = request.user.notifications.filter(read_at__isnull=True).count()
    return {
        "garden": services.get_garden(),
        "membership": membership,
        "is_member": membership is not None and membership.is_active,
        "is_coordinator": membership is not None and membership.is_coordinator,
        "unread_notifications": unread,
    }
