from channels.generic.websocket import AsyncJsonWebsocketConsumer

from .live import GARDEN_GROUP, user_group

# Close codes in the private 4000 range; static/js/live.js does not retry them.
UNAUTHENTICATED = 4401


class LiveConsumer(AsyncJsonWebsocketConsumer):
    """One socket per open page: garden-wide events and the user's own.

    Authentication is the page's session cookie (AuthMiddlewareStack); the origin is checked
    against ALLOWED_HOSTS in garden/asgi.py. The socket only sends; what clients send is ignored.
    """

    groups_joined: list[str] = []

    async def connect(self) -> None:
        user = self.scope.get("user")
        if user is None or not user.is_authenticated:
            await self.close(code=UNAUTHENTICATED)
            return
        self.groups_joined = [GARDEN_GROUP, user_group(user.pk)]
        for group in self.groups_joined:
            await self.channel_layer.group_add(group, self.channel_name)
        await self.accept()

    async def disconnect(self, code: int) -> None:
        for group in self.groups_joined:
            await self.channel_layer.group_discard(group, self.channel_name)

    async def receive(self, text_data=None, bytes_data=None, **kwargs) -> None:
        """Pages have nothing to say; ignore it rather than fail on bad JSON."""

    async def live_event(self, message: dict) -> None:
        await self.send(text_data=message["text"])

    async def dispatch(self, message: dict) -> None:
        # Channels closes stale database connections before every handler, one thread hop
        # each; live events never touch the database, and with hundreds of open pages
        # those hops were what delayed a broadcast (docs/performance.md, "Live").
        if message.get("type") == "live.event":
            await self.live_event(message)
            return
        await super().dispatch(message)
