import asyncio

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.csrf import csrf_exempt


def _database_ok() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            return cursor.fetchone() == (1,)
    except Exception:
        return False


def _channel_layer_ok() -> bool:
    layer = get_channel_layer()
    if layer is None:
        return False

    async def round_trip() -> bool:
        # new_channel() first: a pub/sub layer only keeps what is sent after it subscribed.
        channel = await layer.new_channel("healthz.")
        await layer.send(channel, {"type": "healthz"})
        message = await asyncio.wait_for(layer.receive(channel), timeout=5)
        return message.get("type") == "healthz"

    try:
        return async_to_sync(round_trip)()
    except Exception:
        return False


def healthz(request) -> JsonResponse:
    """Liveness for operators and load balancers: 200 when database and channel layer answer."""
    checks = {"database": _database_ok(), "channel_layer": _channel_layer_ok()}
    healthy = all(checks.values())
    return JsonResponse(
        {
            "status": "ok" if healthy else "degraded",
            **{k: "ok" if v else "down" for k, v in checks.items()},
        },
        status=200 if healthy else 503,
    )


@csrf_exempt
async def bench_ceiling(request) -> JsonResponse:
    """The inbox benchmark's ceiling: a POST answered 202 at once, through the same server
    and middleware as the inbox. Routed only when ``BENCH_CEILING=1``."""
    return JsonResponse({"detail": "Accepted."}, status=202)
