"""What each app contributes to a member's data download (GDPR, Art. 20).

An app registers a function that returns JSON-serialisable data about one user:

    from garden.members.exports import register_export
    register_export("harvests", lambda user: [...])

usually in its AppConfig.ready().
"""

from collections.abc import Callable

_exporters: dict[str, Callable] = {}


def register_export(name: str, exporter: Callable) -> None:
    _exporters[name] = exporter


def export_user_data(user) -> dict:
    return {name: exporter(user) for name, exporter in sorted(_exporters.items())}
