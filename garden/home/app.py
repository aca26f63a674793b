"""The installable app: the web app manifest, the service worker and its offline page.

The service worker (templates/home/sw.js) is served from the site's root so that its scope
is the whole site; it is a template only to learn the static files' URLs and a version
that changes when they do.
"""

import hashlib
import json

from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.templatetags.static import static
from django.utils.translation import get_language
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET

from garden.members import services as members

THEME_COLOUR = "#2f6b2f"  # --green in static/css/allmende.css
BACKGROUND_COLOUR = "#fbfbf7"  # --bg

ICONS = [
    {"src": "icons/icon-192.png", "sizes": "192x192", "type": "image/png", "purpose": "any"},
    {"src": "icons/icon-512.png", "sizes": "512x512", "type": "image/png", "purpose": "any"},
    {
        "src": "icons/maskable-512.png",
        "sizes": "512x512",
        "type": "image/png",
        "purpose": "maskable",
    },
]

# What the service worker keeps from the start, so the app opens without a connection.
SHELL_STATIC = [
    "css/allmende.css",
    "css/home.css",
    "css/shifts.css",
    "css/plots.css",
    "css/print.css",
    "js/nav.js",
    "js/live.js",
    "js/pwa.js",
    "icons/icon-192.png",
    "icons/favicon-32.png",
]


@require_GET
def manifest(request):
    garden = members.get_garden()
    document = {
        "id": "/",
        "name": f"{garden.name} · Allmende",
        "short_name": garden.name[:12] or "Allmende",
        "description": garden.description[:300],
        "lang": get_language(),
        "start_url": "/",
        "scope": "/",
        "display": "standalone",
        "theme_color": THEME_COLOUR,
        "background_color": BACKGROUND_COLOUR,
        "icons": [{**icon, "src": static(icon["src"])} for icon in ICONS],
    }
    response = JsonResponse(document, json_dumps_params={"ensure_ascii": False})
    response["Content-Type"] = "application/manifest+json"
    return response


@require_GET
@cache_control(no_cache=True)
def service_worker(request):
    shell = [static(path) for path in SHELL_STATIC]
    body = render_to_string(
        "home/sw.js",
        {"shell_json": json.dumps(shell), "offline_url": "/offline/", "version": "VERSION"},
    )
    # A new version whenever the worker or its shell changes: the browser then installs it
    # and the old caches are dropped.
    version = hashlib.sha256(body.encode()).hexdigest()[:12]
    body = body.replace('"VERSION"', json.dumps(version))
    return HttpResponse(body, content_type="text/javascript; charset=utf-8")


@require_GET
def offline(request):
    """What the service worker shows for a page it has not kept, without a connection."""
    return render(request, "home/offline.html")
