"""Three demo gardens on ports 8001–8003, seeded and peered with each other; Ctrl-C stops all."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

GARDENS = [
    ("Gemeinschaftsgarten Lindenhof", 52.4990, 13.4180),
    ("Prinzessinnengarten Kreuzberg", 52.5035, 13.4105),
    ("Allmende-Kontor Tempelhof", 52.4730, 13.4010),
]


class Command(BaseCommand):
    help = "Start three peered demo gardens on ports 8001-8003 (Ctrl-C stops them)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--data", default=str(settings.BASE_DIR / "data" / "federation-demo"))
        parser.add_argument("--first-port", type=int, default=8001)

    def handle(self, *args, data: str, first_port: int, **options) -> None:
        nodes = []
        for index, (name, latitude, longitude) in enumerate(GARDENS):
            port = first_port + index
            env = {
                **os.environ,
                "ALLMENDE_DATA_DIR": str(Path(data) / f"node{index + 1}"),
                "PORT": str(port),
                "ALLMENDE_URL": f"http://127.0.0.1:{port}",
                "FEDERATION_ALLOW_INSECURE": "1",
            }
            env.pop("DATABASE_URL", None)
            nodes.append((name, port, env, latitude, longitude))

        def manage(env, *arguments) -> None:
            result = subprocess.run([sys.executable, "manage.py", *arguments], env=env)
            if result.returncode:
                raise CommandError(f"manage.py {' '.join(arguments)} failed")

        for name, _port, env, latitude, longitude in nodes:
            self.stdout.write(f"Preparing {name} …")
            manage(env, "migrate", "--noinput", "-v", "0")
            coordinates = ["--latitude", str(latitude), "--longitude", str(longitude)]
            manage(env, "seed_demo", "--name", name, *coordinates)
            manage(env, "peer", "--auto-accept-km", "50")

        def interrupt(*_args) -> None:
            raise KeyboardInterrupt

        # Also when started in the background, where SIGINT would otherwise be ignored.
        signal.signal(signal.SIGINT, interrupt)
        signal.signal(signal.SIGTERM, interrupt)
        processes = [
            subprocess.Popen(
                [sys.executable, "manage.py", "serve", "--port", str(port)],
                env=env,
                start_new_session=True,
            )
            for _name, port, env, *_place in nodes
        ]
        try:
            for _name, port, *_rest in nodes:
                self._wait_until_up(port)
            for index, (_name, _port, env, *_place) in enumerate(nodes):
                for _other_name, other_port, *_other in nodes[index + 1 :]:
                    manage(env, "peer", f"http://127.0.0.1:{other_port}/actor")
            for name, port, *_rest in nodes:
                self.stdout.write(self.style.SUCCESS(f"{name}: http://127.0.0.1:{port}/"))
            self.stdout.write(
                "Log in as coordinator / allmende-demo; peers at /federation/peers/. "
                "Ctrl-C stops all three."
            )
            while all(process.poll() is None for process in processes):
                time.sleep(0.5)
        except KeyboardInterrupt:
            pass
        finally:
            for process in processes:
                if process.poll() is None:
                    os.killpg(process.pid, signal.SIGTERM)
            for process in processes:
                try:
                    process.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    os.killpg(process.pid, signal.SIGKILL)

    @staticmethod
    def _wait_until_up(port: int, timeout: float = 90) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=2).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.5)
        raise CommandError(f"The node on port {port} did not start.")
