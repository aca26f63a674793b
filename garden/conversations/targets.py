"""What a thread can hang under: each kind names a model and its page.

Models are looked up by name, so this app does not import the apps it talks about.
"""

from django.apps import apps
from django.urls import reverse

from .models import Kind

TARGETS: dict[str, tuple[str, str]] = {
    Kind.PROPOSAL: ("decisions.Proposal", "decisions:proposal"),
    Kind.PLOT: ("plots.Plot", "plots:detail"),
    Kind.SHIFT: ("shifts.Shift", "shifts:shift"),
    Kind.TASK: ("shifts.Task", "shifts:task"),
    Kind.OFFER: ("sharing.Offer", "sharing:offer"),
    Kind.TOOL: ("sharing.Tool", "sharing:tool"),
}


def target(kind: str, object_id: int):
    """The object a thread is about, or None if there is no such kind or object."""
    if kind not in TARGETS:
        return None
    model = apps.get_model(TARGETS[kind][0])
    return model.objects.filter(pk=object_id).first()


def target_url(kind: str, object_id: int) -> str:
    return reverse(TARGETS[kind][1], args=[object_id])
