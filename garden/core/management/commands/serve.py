"""Run the web server (daphne), the background worker and the periodic scheduler together;
Ctrl-C stops them all."""

import signal
import subprocess
import sys
import time

from django.conf import settings
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Serve this node with daphne and run the background worker beside it."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=settings.PORT)
        parser.add_argument("--workers", type=int, default=1, help="background workers to run")

    def handle(self, *args, host: str, port: int, workers: int, **options) -> None:
        python = sys.executable
        commands = [
            [python, "-m", "daphne", "-b", host, "-p", str(port), "garden.asgi:application"]
        ]
        commands += [
            [
                python,
                "manage.py",
                "db_worker",
                "--queue-name",
                "*",
                "--interval",
                "0.5",
                "--no-reload",
            ]
        ] * workers
        commands.append([python, "manage.py", "run_periodic"])
        processes = [subprocess.Popen(command) for command in commands]
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
