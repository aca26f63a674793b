"""The production set-up, run here: Caddy (Debian's package, ``tls internal``) in front of two
daphne processes of one node on PostgreSQL and Redis, as deploy/ describes it.

Caddy binds only 127.0.0.1 on free ports and keeps its state in the test's directory; the
client trusts Caddy's own root certificate. The client connects from 127.0.0.2 so that the
address Django sees can be told apart from Caddy's (127.0.0.1).
"""

import json
import os
import shutil
import ssl
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from websockets.sync.client import connect

from tests.nodes import ROOT, Node, free_port, wait_for

pytestmark = [
    pytest.mark.nodes,
    pytest.mark.skipif(
        not os.environ.get("DATABASE_URL", "").startswith("postgres")
        or not os.environ.get("REDIS_URL"),
        reason="the production set-up: runs with DATABASE_URL (PostgreSQL) and REDIS_URL",
    ),
]
PASSWORD = "pw-Allmende-1"
CLIENT = "127.0.0.2"


def caddyfile(https_port: int, http_port: int, upstream: int, storage: Path) -> str:
    return f"""{{
\tadmin off
\tstorage file_system {storage}
\thttp_port {http_port}
\thttps_port {https_port}
\tdefault_bind 127.0.0.1
\tskip_install_trust
\tauto_https disable_redirects
}}

https://localhost:{https_port} {{
\ttls internal
\treverse_proxy 127.0.0.1:{upstream}
}}
"""


@pytest.fixture(scope="module")
def proxied(tmp_path_factory):
    caddy = shutil.which("caddy")
    if caddy is None:
        if os.environ.get("CI"):
            pytest.fail("caddy is not installed (apt-get install caddy)")
        pytest.skip("caddy is not installed")
    base = tmp_path_factory.mktemp("caddy")
    https_port = free_port()
    public = f"https://localhost:{https_port}"
    node = Node(
        base / "node",
        name="Garten hinter Caddy",
        ALLMENDE_URL=public,
        WEB_PROCESSES="2",
        PROXY_HEADERS="1",
        RATE_LIMIT_INBOX_IP="3/m",
        RATE_LIMIT_INBOX_HOST="0",
    )
    caddy_process = None
    try:
        node.setup()
        node.shell(
            "from django.contrib.auth.models import User\n"
            "from garden.members.models import Garden, Membership\n"
            f"u = User.objects.create_user('cora', 'cora@example.org', {PASSWORD!r})\n"
            "Membership.objects.create(user=u, garden=Garden.objects.get_current(),"
            " role='coordinator', status='active')\n"
        )
        node.start()
        storage = base / "caddy-data"
        config = base / "Caddyfile"
        config.write_text(caddyfile(https_port, free_port(), node.port, storage))
        log = open(base / "caddy.log", "wb")  # noqa: SIM115
        caddy_process = subprocess.Popen(
            [caddy, "run", "--config", str(config), "--adapter", "caddyfile"],
            cwd=base,
            env={
                **os.environ,
                "HOME": str(base),
                "XDG_DATA_HOME": str(base),
                "XDG_CONFIG_HOME": str(base),
            },
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        root = storage / "pki" / "authorities" / "local" / "root.crt"
        wait_for(root.exists, timeout=60)

        def answers() -> bool:
            try:
                return client(root, public).get("/healthz").status_code == 200
            except httpx.HTTPError:
                return False

        wait_for(answers, timeout=60, interval=0.5)
        yield node, public, root
    finally:
        if caddy_process is not None:
            caddy_process.terminate()
            caddy_process.wait(timeout=20)
        node.destroy()


def client(root: Path, public: str, source: str = CLIENT) -> httpx.Client:
    trusted = ssl.create_default_context(cafile=str(root))
    return httpx.Client(
        base_url=public,
        verify=trusted,
        transport=httpx.HTTPTransport(verify=trusted, local_address=source),
        timeout=30,
        follow_redirects=False,
    )


def log_in(root: Path, public: str) -> httpx.Client:
    browser = client(root, public)
    browser.get("/accounts/login/").raise_for_status()
    response = browser.post(
        "/accounts/login/",
        data={
            "username": "cora",
            "password": PASSWORD,
            "csrfmiddlewaretoken": browser.cookies["csrftoken"],
        },
        headers={"Origin": public, "Referer": f"{public}/accounts/login/"},
    )
    assert response.status_code == 302, response.text[:500]
    return browser


def test_pages_and_static_files_over_https(proxied):
    _node, public, root = proxied
    with client(root, public) as browser:
        home = browser.get("/")
        # Django took the request for https: no redirect to https, HSTS sent, secure cookies.
        assert home.status_code == 200
        assert "Strict-Transport-Security" in home.headers
        css = browser.get("/static/css/allmende.css")
        assert css.status_code == 200
        assert css.content == (ROOT / "static" / "css" / "allmende.css").read_bytes()
        # A client claiming plain http through the proxy changes nothing: Caddy sets the header.
        forged = browser.get("/", headers={"X-Forwarded-Proto": "http"})
        assert forged.status_code == 200
    signed_in = log_in(root, public)
    assert signed_in.cookies.jar and all(c.secure for c in signed_in.cookies.jar)
    assert signed_in.get("/garden/status/").status_code == 200


def test_a_forged_host_never_reaches_the_node_and_the_node_refuses_it(proxied):
    node, public, root = proxied
    with client(root, public) as browser:
        # Were X-Forwarded-Host believed, ALLOWED_HOSTS would refuse evil.example with a 400.
        page = browser.get("/", headers={"X-Forwarded-Host": "evil.example"})
        assert page.status_code == 200 and b"Garten hinter Caddy" in page.content
        # Another Host matches no site: Caddy answers itself, empty, without the node.
        response = browser.get("/", headers={"Host": "evil.example"})
        assert b"Garten hinter Caddy" not in response.content
        assert "Content-Security-Policy" not in response.headers
    # And were it to reach the node, the node refuses it.
    direct = httpx.get(f"{node.url}/", headers={"Host": "evil.example"}, timeout=30)
    assert direct.status_code == 400


def test_live_updates_over_wss(proxied):
    node, public, root = proxied
    browser = log_in(root, public)
    context = ssl.create_default_context(cafile=str(root))
    socket_url = public.replace("https://", "wss://") + "/ws/live/"
    with connect(
        socket_url,
        origin=public,
        ssl=context,
        additional_headers={"Cookie": f"sessionid={browser.cookies['sessionid']}"},
        open_timeout=30,
    ) as socket:
        node.shell(
            "from django.db import transaction\n"
            "from garden.core.live import push_garden\n"
            "with transaction.atomic():\n"
            "    push_garden('plots', {'id': 42})\n"
        )
        deadline = time.monotonic() + 30
        while True:
            event = json.loads(socket.recv(timeout=max(deadline - time.monotonic(), 0.1)))
            if event["event"] == "plots":
                break
    assert event["data"] == {"id": 42}


def test_the_inbox_answers_and_django_sees_the_clients_address_not_a_forged_one(proxied):
    _node, public, root = proxied
    body = json.dumps({"type": "Create", "id": f"{public}/x", "actor": "https://b.example/actor"})
    headers = {"Content-Type": "application/activity+json"}
    with client(root, public) as first:
        answers = [first.post("/inbox", content=body, headers=headers) for _ in range(3)]
        # The inbox itself answered (an unsigned activity is refused with a reason).
        assert all(400 <= r.status_code < 500 and r.status_code != 429 for r in answers)
        assert "detail" in answers[0].json()
        # Counted per client address (3 a minute): a forged X-Forwarded-For does not help.
        forged = first.post(
            "/inbox", content=body, headers={**headers, "X-Forwarded-For": "203.0.113.9"}
        )
        assert forged.status_code == 429
    # Another client address is counted apart: Django sees 127.0.0.3, not Caddy's address.
    with client(root, public, source="127.0.0.3") as second:
        assert second.post("/inbox", content=body, headers=headers).status_code != 429


def test_check_deploy_is_clean(proxied):
    node, _public, _root = proxied
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=node.env,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout
