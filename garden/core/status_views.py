"""The coordinators' node status page and the download of a backup."""

from django.http import FileResponse, Http404
from django.shortcuts import render

from garden.members.permissions import coordinator_required

from . import status
from .backups.schedule import NAME, archives


@coordinator_required
def node_status(request):
    database = status.database_ok()
    context = {
        "database": database,
        "channel_layer": status.channel_layer_ok(),
        "worker": status.worker(),
        "backlog": status.delivery_backlog(),
        "pending_migrations": status.pending_migrations(),
        "disk": status.disk(),
        "backups": archives()[:10],
        "version": status.version(),
    }
    return render(request, "core/node_status.html", context)


@coordinator_required
def backup_download(request, name: str):
    """One of the kept archives. It holds the node's keys: coordinators only, never cached."""
    if not NAME.match(name):
        raise Http404
    found = next((path for path in archives() if path.name == name), None)
    if found is None:
        raise Http404
    response = FileResponse(found.open("rb"), as_attachment=True, filename=name)
    response["Cache-Control"] = "no-store"
    return response
