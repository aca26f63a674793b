"""Demo data of the members app: two announcements from the coordinator."""

from .models import Announcement

DEMO_ANNOUNCEMENTS = [
    (
        "Spring work day on Saturday",
        "We meet at 10:00 at the tool shed to turn the compost and mend the fence. "
        "Soup for everyone at noon; bring gloves if you have some.",
    ),
    (
        "Water butts are full again",
        "After last week's rain all four water butts are full. Please use them before "
        "the tap, and close the lids so the mosquitoes stay out.",
    ),
]


def seed(garden, users) -> None:
    for title, body in DEMO_ANNOUNCEMENTS:
        # Created directly: the demo should not email anyone.
        Announcement.objects.get_or_create(
            garden=garden, title=title, defaults={"body": body, "author": users["coordinator"]}
        )
