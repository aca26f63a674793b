"""One uvicorn process (uvloop + httptools, WebSockets by ``websockets``) serving the socket
``manage.py serve`` handed over at fd 3, as daphne does with ``-e systemd:…``.

uvicorn's own ``--fd`` takes every inherited socket for a Unix socket; here the socket's
family is read from the descriptor itself.

    python -m garden.core.uvicorn_child garden.asgi:application
"""

import socket
import sys

import uvicorn

LISTEN_FD = 3


def main(app: str) -> None:
    sock = socket.socket(fileno=LISTEN_FD)  # family and type come from the descriptor
    config = uvicorn.Config(
        app,
        loop="uvloop",
        http="httptools",
        ws="websockets",
        lifespan="off",  # Channels' router answers no lifespan events
        access_log=False,
        proxy_headers=False,
        server_header=False,
    )
    uvicorn.Server(config).run(sockets=[sock])


if __name__ == "__main__":
    main(sys.argv[1])
