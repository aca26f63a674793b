"""A handler for multi-node tests only, loaded when ``FEDERATION_DEBUG_HANDLER=1``.

It appends every ``Create`` of a ``Note`` it receives to ``<DATA_DIR>/federation-debug.jsonl``
so a test can see what a node applied, and refuses notes whose content is ``"refuse"`` with
422 to show that a refusal rolls everything back. A note whose content starts with ``"slow"``
takes three seconds, announced by ``<DATA_DIR>/federation-debug-busy``, so a test can kill
the worker in the middle of applying it.
"""

import json
import time

from django.conf import settings
from django.db import transaction

from .errors import ActivityRejected
from .registry import handles


@handles("Create", "Note")
def record_note(activity: dict, sender) -> None:
    note = activity["object"]
    if note.get("content") == "refuse":
        raise ActivityRejected("This test note is refused.", status=422)
    if str(note.get("content", "")).startswith("slow"):
        (settings.DATA_DIR / "federation-debug-busy").write_text(activity["id"])
        time.sleep(3)
    line = json.dumps(
        {"id": activity["id"], "sender": sender.actor_url, "content": note.get("content")}
    )

    def append() -> None:
        with open(settings.DATA_DIR / "federation-debug.jsonl", "a") as handle:
            handle.write(line + "\n")

    transaction.on_commit(append)
