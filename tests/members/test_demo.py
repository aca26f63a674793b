from django.core.management import call_command

from garden.members.models import Announcement


def test_demo_garden_has_two_announcements_and_seeding_twice_adds_nothing(db):
    call_command("seed_demo", verbosity=0)
    call_command("seed_demo", verbosity=0)
    assert Announcement.objects.count() == 2
    assert set(Announcement.objects.values_list("author__username", flat=True)) == {"coordinator"}
