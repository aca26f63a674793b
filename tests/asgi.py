"""Drive an ASGI application in-process with one HTTP request, as a server would."""

import asyncio
from dataclasses import dataclass, field


@dataclass
class Answer:
    status: int
    headers: dict[str, str]
    body: bytes
    received: list[bytes] = field(default_factory=list)  # the body chunks the app asked for


async def asgi_request(
    app,
    method: str,
    path: str,
    body: bytes = b"",
    headers: dict[str, str] | None = None,
    *,
    chunks: list[bytes] | None = None,
    scheme: str = "http",
) -> Answer:
    """``body`` in one message, or ``chunks`` one message each; ``headers`` as sent (a
    Content-Length for ``body`` unless given)."""
    sent = {"host": "testserver", **(headers or {})}
    if chunks is None:
        chunks = [body]
        sent.setdefault("content-length", str(len(body)))
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": method,
        "scheme": scheme,
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": [(name.lower().encode(), value.encode()) for name, value in sent.items()],
        "client": ("127.0.0.1", 40000),
        "server": ("testserver", 80),
    }
    messages = [
        {"type": "http.request", "body": chunk, "more_body": n < len(chunks) - 1}
        for n, chunk in enumerate(chunks)
    ]
    received: list[bytes] = []

    async def receive():
        if messages:
            message = messages.pop(0)
            received.append(message["body"])
            return message
        await asyncio.Event().wait()  # no disconnect while the request runs

    answer = {"body": b""}

    async def send(message):
        if message["type"] == "http.response.start":
            answer["status"] = message["status"]
            answer["headers"] = {k.decode().lower(): v.decode() for k, v in message["headers"]}
        elif message["type"] == "http.response.body":
            answer["body"] += message.get("body", b"")

    await app(scope, receive, send)
    return Answer(answer["status"], answer["headers"], answer["body"], received)
