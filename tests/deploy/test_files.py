"""deploy/ stays true to the code: Caddy reads the Caddyfile, the units start real commands."""

import os
import re
import shutil
import subprocess
import sys

import pytest

from tests.nodes import ROOT

DEPLOY = ROOT / "deploy"


def test_caddy_reads_the_caddyfile():
    caddy = shutil.which("caddy")
    if caddy is None:
        if os.environ.get("CI"):
            pytest.fail("caddy is not installed (apt-get install caddy)")
        pytest.skip("caddy is not installed")
    result = subprocess.run(
        [caddy, "adapt", "--config", str(DEPLOY / "Caddyfile"), "--adapter", "caddyfile"],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize("unit", ["allmende-web", "allmende-worker", "allmende-scheduler"])
def test_each_unit_runs_a_command_with_options_it_has(unit, tmp_path):
    text = (DEPLOY / f"{unit}.service").read_text()
    assert "EnvironmentFile=/etc/allmende/allmende.env" in text
    command = re.search(r"^ExecStart=\S+ manage\.py (\S+)(.*)$", text, re.M)
    assert command, "ExecStart runs manage.py"
    name, arguments = command.group(1), command.group(2).split()
    # A data dir of its own: without one manage.py would make ./data/secret_key, a developer's
    # (and race another test run making the same file at the same moment).
    help_text = subprocess.run(
        [sys.executable, "manage.py", name, "--help"],
        cwd=ROOT,
        env={**os.environ, "ALLMENDE_DATA_DIR": str(tmp_path)},
        capture_output=True,
        text=True,
    ).stdout
    for option in (a for a in arguments if a.startswith("--")):
        assert option in help_text, f"{unit}: manage.py {name} has no {option}"


def test_the_environment_template_names_only_settings_the_node_reads():
    settings_text = (ROOT / "garden" / "settings.py").read_text()
    for line in (DEPLOY / "allmende.env").read_text().splitlines():
        if line and not line.startswith("#"):
            name = line.split("=", 1)[0]
            assert name in settings_text or name in {"PROXY_HEADERS", "WEB_PROCESSES"}, name
