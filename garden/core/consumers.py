from channels.generic.websocket import AsyncJsonWebsocketConsumer

from .live import GARDEN_GROUP, user_group


class LiveConsumer(AsyncJsonWebsocketConsumer):
    """One socket per open page: garden-wide events and the user's own."""

    async def connect(self) -> None:
        user = self.scope.get("user")
        if user is None or not user.is_authenticated:
            await self.close(code=4401)
            return
        self.groups_joined = [GARDEN_GROUP, user_group(user.pk)]
        for group in self.groups_joined:
            await self.channel_layer.group_add(group, self.channel_name)
        await self.accept()

    async def disconnect(self, code: int) -> None:
        for group in getattr(self, "groups_joined", []):
            await self.channel_layer.group_discard(group, self.channel_name)

    async def live_event(self, message: dict) -> None:
        await self.send_json({"event": message["event"], "data": message["data"]})

    async def dispatch(self, message: dict) -> None:
        # Channels closes stale database connections before every handler, one thread hop
        # each; live events never touch the database, and with hundreds of open pages
        # those hops were what delayed a broadcast (docs/performance.md, "Live").
        if message.get("type") == "live.event":
            await self.live_event(message)
            return
        await super().dispatch(message)
