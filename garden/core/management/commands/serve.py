"""Run the web server (uvicorn, or daphne), the background worker and the scheduler together;
Ctrl-C stops them all."""

import os
import signal
import socket
import subprocess
import sys
import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError


def listening_socket(host: str, port: int) -> socket.socket:
    """One socket every web process accepts on: the kernel spreads connections among them."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as exc:
        sock.close()
        raise CommandError(f"Cannot listen on {host}:{port}: {exc.strerror}.") from exc
    sock.listen(1024)
    sock.set_inheritable(True)
    return sock


LISTEN_FD = 3  # where systemd puts the first inherited socket (sd_listen_fds)


def hand_over(sock: socket.socket):
    """Run in the child before exec: the socket at fd 3 and the variables that announce it."""

    def prepare() -> None:
        os.dup2(sock.fileno(), LISTEN_FD)
        os.environ.update(LISTEN_PID=str(os.getpid()), LISTEN_FDS="1", LISTEN_FDNAMES="web")

    return prepare


def daphne_command(python: str, sock: socket.socket, proxy_headers: bool) -> list[str]:
    # daphne adopts the socket the way systemd socket activation hands it over.
    domain = "INET6" if sock.family == socket.AF_INET6 else "INET"
    command = [python, "-m", "daphne", "-e", f"systemd:domain={domain}:index=0"]
    return [*command, *(["--proxy-headers"] if proxy_headers else []), ASGI_APP]


def uvicorn_command(python: str, sock: socket.socket, proxy_headers: bool) -> list[str]:
    command = [python, "-m", "garden.core.uvicorn_child", ASGI_APP]
    return [*command, *(["--proxy-headers"] if proxy_headers else [])]


def lower_priority(nice: int):
    """Run in the child before exec: a lower CPU priority for the worker and the scheduler,
    so a burst of inbox requests is answered first; what the inbox stored is applied once
    the web processes leave a core free (docs/performance.md, "Inbox")."""

    def prepare() -> None:
        os.nice(nice)

    return prepare


ASGI_APP = "garden.asgi:application"
WEB_SERVERS = {"daphne": daphne_command, "uvicorn": uvicorn_command}


class Command(BaseCommand):
    help = "Serve this node (uvicorn or daphne) and run the worker and the scheduler beside it."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=settings.PORT)
        parser.add_argument(
            "--web-processes",
            type=int,
            default=int(os.environ.get("WEB_PROCESSES", "1")),
            help="web processes sharing the port (more than one needs REDIS_URL)",
        )
        parser.add_argument("--workers", type=int, default=1, help="background workers to run")
        parser.add_argument(
            "--no-scheduler",
            action="store_true",
            help="do not run the periodic scheduler (it runs as its own service)",
        )
        parser.add_argument(
            "--proxy-headers",
            action="store_true",
            default=os.environ.get("PROXY_HEADERS", "") == "1",
            help="take the client's address and scheme from the X-Forwarded-* headers the "
            "TLS proxy in front sets (only behind one, listening on 127.0.0.1)",
        )
        parser.add_argument(
            "--server",
            choices=sorted(WEB_SERVERS),
            default=os.environ.get("WEB_SERVER", "uvicorn"),
            help="the ASGI server of the web processes (docs/performance.md compares them)",
        )

    def handle(
        self,
        *args,
        host: str,
        port: int,
        web_processes: int,
        workers: int,
        no_scheduler: bool,
        proxy_headers: bool,
        server: str,
        **options,
    ) -> None:
        if web_processes < 1 or workers < 0:
            raise CommandError("--web-processes must be at least 1 and --workers at least 0.")
        if web_processes > 1 and not settings.REDIS_URL:
            # The in-memory channel layer lives in one process: live updates made in one
            # daphne would never reach pages held open by another.
            raise CommandError("Several web processes need REDIS_URL for live updates.")
        python = sys.executable
        sock = listening_socket(host, port)
        web = WEB_SERVERS[server](python, sock, proxy_headers)
        worker = [python, "manage.py", "db_worker", "--queue-name", "*", "--interval", "0.5"]
        processes = [
            subprocess.Popen(web, pass_fds=(LISTEN_FD,), preexec_fn=hand_over(sock))
            for _ in range(web_processes)
        ]
        background = lower_priority(settings.BACKGROUND_NICE)
        processes += [
            subprocess.Popen([*worker, "--no-reload"], preexec_fn=background)
            for _ in range(workers)
        ]
        if not no_scheduler:
            scheduler = [python, "manage.py", "run_periodic"]
            processes.append(subprocess.Popen(scheduler, preexec_fn=background))
        sock.close()  # the web processes hold it now
        self.stdout.write(f"Serving {settings.ALLMENDE_URL} (Ctrl-C stops)")

        def stop(*_args) -> None:
            for process in processes:
                if process.poll() is None:
                    process.terminate()

        signal.signal(signal.SIGTERM, stop)
        try:
            while all(process.poll() is None for process in processes):
                time.sleep(0.5)
        except KeyboardInterrupt:
            pass
        finally:
            stop()
            for process in processes:
                try:
                    process.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    process.kill()
