"""One uvicorn process (uvloop + httptools, WebSockets by ``websockets``) serving the socket
``manage.py serve`` handed over at fd 3, as daphne does with ``-e systemd:…``.

uvicorn's own ``--fd`` takes every inherited socket for a Unix socket; here the socket's
family is read from the descriptor itself.

    python -m garden.core.uvicorn_child garden.asgi:application [--proxy-headers]
"""

import socket
import sys

import uvicorn

LISTEN_FD = 3


def main(app: str, proxy_headers: bool = False) -> None:
    sock = socket.socket(fileno=LISTEN_FD)  # family and type come from the descriptor
    config = uvicorn.Config(
        app,
        loop="uvloop",
        http="httptools",
        ws="websockets",
        lifespan="off",  # Channels' router answers no lifespan events
        access_log=False,
        # Behind the TLS proxy only (docs/deploy.md): the client's address and scheme come
        # from the X-Forwarded-* headers that the proxy on this machine sets.
        proxy_headers=proxy_headers,
        forwarded_allow_ips="127.0.0.1,::1",
        server_header=False,
    )
    uvicorn.Server(config).run(sockets=[sock])


if __name__ == "__main__":
    main(sys.argv[1], proxy_headers="--proxy-headers" in sys.argv[2:])
