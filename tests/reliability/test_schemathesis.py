"""Schemathesis with all its checks against a live node, as a client would run it.

One node (tests/nodes.py: daphne and the worker in their own processes, SQLite or its own
PostgreSQL database) with the demo garden. ``st run <node>/api/v2/openapi.json --checks all``
then calls every operation the schema lists — whatever operations exist, none is named
here — first as a member, then as a coordinator, each with a personal token, through all
phases: examples, coverage (boundary and invalid values), fuzzing, and the stateful phase
that follows the schema's OpenAPI links (POST /offers → /offers/{offer_id}/claims → …).
The deprecated /api/v1/ is still a contract and is run the same way, with fewer examples
per operation: apart from its array lists it is the same operations as v2 (garden/api.py).

Every check has to pass: no 5xx, every answer as documented (status, content type, body,
headers), what the schema allows is accepted and what it refuses is refused (a 4xx), and
authentication is enforced. The run's output (with a `st replay` seed per failure) is in the
failure message. ``ST_EXAMPLES`` sets the examples per operation for v2 (default 15),
``ST_EXAMPLES_V1`` for v1 (default 5).

The node cannot reach anything but loopback: its outgoing HTTP goes to a closed port through
HTTP(S)_PROXY, so fuzzed peer addresses are refused without a packet leaving the machine.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.nodes import ROOT, free_port, running_node

pytestmark = pytest.mark.nodes

EXAMPLES = {
    "v2": int(os.environ.get("ST_EXAMPLES", "15")),
    "v1": int(os.environ.get("ST_EXAMPLES_V1", "5")),
}
ST = Path(sys.executable).with_name("st")

PREPARE = """
import json, secrets
from django.contrib.auth.models import User
from garden.members.models import ApiToken, Garden, Membership
garden = Garden.objects.get_current()
out = {}
for role in ("member", "coordinator"):
    # Names and passwords nobody guesses: POST /me/delete must not find the confirmation.
    user = User.objects.create_user(
        "st-" + role + "-" + secrets.token_hex(6), password=secrets.token_urlsafe(24)
    )
    membership = Membership.objects.create(user=user, garden=garden, role=role, status="active")
    token, secret = ApiToken.objects.create_token(user, "schemathesis")
    out[role] = {"token": secret, "token_id": token.pk, "membership_id": membership.pk}
print(json.dumps(out))
"""


@pytest.fixture(scope="module")
def node(tmp_path_factory):
    dead_proxy = f"http://127.0.0.1:{free_port()}"
    with running_node(
        tmp_path_factory.mktemp("st-node"),
        name="Schemathesis",
        latitude=52.5,
        longitude=13.4,
        HTTP_PROXY=dead_proxy,
        HTTPS_PROXY=dead_proxy,
        ALL_PROXY=dead_proxy,
        NO_PROXY="",
    ) as node:
        node.manage("seed_demo")
        node.accounts = json.loads(node.shell(PREPARE).strip().splitlines()[-1])
        yield node


def st_run(node, version: str, role: str) -> subprocess.CompletedProcess:
    accounts = node.accounts
    protected = {
        "tokens": [a["token_id"] for a in accounts.values()],
        "memberships": [a["membership_id"] for a in accounts.values()],
    }
    env = {
        **os.environ,
        "SCHEMATHESIS_HOOKS": "tests.reliability.st_hooks",
        "ALLMENDE_ST_PROTECTED": json.dumps(protected),
        "PYTHONPATH": str(ROOT),
    }
    command = [
        str(ST),
        "run",
        f"{node.url}/api/{version}/openapi.json",
        "--checks",
        "all",
        "--max-examples",
        str(EXAMPLES[version]),
        "--header",
        f"Authorization: Bearer {accounts[role]['token']}",
        "--request-timeout",
        "30",
        "--no-color",
    ]
    return subprocess.run(
        command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=1200, check=False
    )


@pytest.mark.parametrize("version", ["v2", "v1"])
@pytest.mark.parametrize("role", ["member", "coordinator"])
def test_every_operation_keeps_its_contract(node, version, role):
    result = st_run(node, version, role)
    output = result.stdout + result.stderr
    summary = output[output.rfind("SUMMARY") :] if "SUMMARY" in output else output[-3000:]
    assert result.returncode == 0, f"st run of {version} as {role} failed:\n{output[-20000:]}"
    print(summary)  # operations tested, phases, links covered, warnings (pytest -s)
