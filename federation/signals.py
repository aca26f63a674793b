"""Signals the garden side listens to (garden/core/federation.py notifies coordinators)."""

from django.dispatch import Signal
from django.utils.translation import gettext_lazy as _

# What the garden tells its coordinators for each signal; ``%(name)s`` is the peer's name.
MESSAGES = {
    "peering_request": _("The garden %(name)s asks to peer with yours."),
    "peering_accepted": _("Your garden is now peered with %(name)s."),
    "peering_ended": _("The garden %(name)s ended peering with yours."),
    "follow_request": _("%(name)s asks to follow your garden's public posts."),
}

# A garden asked to peer with us; kwargs: peer.
peering_requested = Signal()
# A garden accepted our request, or we auto-accepted theirs; kwargs: peer.
peering_accepted = Signal()
# A garden rejected or ended the peering; kwargs: peer.
peering_ended = Signal()

# Someone who is not a garden asks to follow and the garden accepts followers by hand;
# kwargs: follower.
follow_requested = Signal()
