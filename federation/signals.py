"""Signals the garden side listens to (garden/core/federation.py notifies coordinators)."""

from django.dispatch import Signal

# A garden asked to peer with us; kwargs: peer.
peering_requested = Signal()
# A garden accepted our request, or we auto-accepted theirs; kwargs: peer.
peering_accepted = Signal()
# A garden rejected or ended the peering; kwargs: peer.
peering_ended = Signal()
