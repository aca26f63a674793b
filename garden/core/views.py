from django.http import JsonResponse
from django.views.decorators.csrf import csrf_exempt

from . import status


def healthz(request) -> JsonResponse:
    """For operators and load balancers. 200 when this web process can serve (database and
    channel layer answer); the worker's heartbeat and the delivery backlog are reported
    beside, each with its own state, so a monitor can alert on them apart."""
    database = status.database_ok()
    layer = status.channel_layer_ok()
    healthy = database and layer
    body = {
        "status": "ok" if healthy else "degraded",
        "database": "ok" if database else "down",
        "channel_layer": "ok" if layer else "down",
    }
    if database:
        worker = status.worker()
        backlog = status.delivery_backlog()
        body["worker"] = {
            "state": worker.state,
            "last_beat": worker.last_beat.isoformat() if worker.last_beat else None,
        }
        body["delivery_backlog"] = {
            "state": backlog.state,
            "due": backlog.due,
            "oldest_due": backlog.oldest_due.isoformat() if backlog.oldest_due else None,
            "failed": backlog.failed,
        }
    return JsonResponse(body, status=200 if healthy else 503)


@csrf_exempt
async def bench_ceiling(request) -> JsonResponse:
    """The inbox benchmark's ceiling: a POST answered 202 at once, through the same server
    and middleware as the inbox. Routed only when ``BENCH_CEILING=1``."""
    return JsonResponse({"detail": "Accepted."}, status=202)
