"""End-to-end tests: the real bridge commands as subprocesses against the database bin/test installed.

bin/test sets CALLCENTER_TEST_DB and CALLCENTER_ADDONS_PATH; these tests refuse to run without them.
"""

import os
import subprocess
import sys
import uuid

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FIXTURES = os.environ.get("CALLCENTER_FIXTURES", os.path.join(ROOT, "..", "shared", "fixtures", "ami"))


def pytest_configure(config):
    if not os.environ.get("CALLCENTER_TEST_DB"):
        pytest.exit("Run these through bin/test (it creates the database they use).", returncode=2)


@pytest.fixture(scope="session")
def registry():
    from odoo.tools import config  # noqa: PLC0415

    config.parse_config(["--addons-path=" + os.environ["CALLCENTER_ADDONS_PATH"]], setup_logging=False)
    from odoo.modules.registry import Registry  # noqa: PLC0415

    return Registry(os.environ["CALLCENTER_TEST_DB"])


@pytest.fixture
def make_server(registry):
    """A fresh PBX server record (committed), so every test writes its calls apart."""
    from odoo import SUPERUSER_ID, api  # noqa: PLC0415

    def make(name, country="US"):
        name = f"{name} {uuid.uuid4().hex[:8]}"  # unique across runs on a kept database
        with registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            country_id = env["res.country"].search([("code", "=", country)], limit=1).id
            values = {"name": name, "host": "127.0.0.1", "username": "cti", "secret": "cti-secret"}
            server = env["cc.pbx.server"].create(values | {"country_id": country_id})
            return server.id

    return make


@pytest.fixture
def read_calls(registry):
    from odoo import SUPERUSER_ID, api  # noqa: PLC0415

    def read(server_id):
        with registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            calls = env["cc.call"].search([("server_id", "=", server_id)], order="start, id")
            return [dict(zip(CSV_FIELDS, row, strict=True)) for row in calls._cti_csv_rows()]

    return read


def odoo_command(*args, **popen):
    """``python -m odoo --addons-path=... <command> ...`` with this run's database and a quiet log."""
    addons = "--addons-path=" + os.environ["CALLCENTER_ADDONS_PATH"]
    cmd = [sys.executable, "-m", "odoo", addons, args[0], addons, "-d", os.environ["CALLCENTER_TEST_DB"]]
    cmd += ["--log-level", "warn", *args[1:]]
    if popen.pop("background", False):
        return subprocess.Popen(cmd, **popen)
    return subprocess.run(cmd, capture_output=True, text=True, timeout=300, check=False, **popen)


def fixture(name):
    return os.path.join(FIXTURES, name)


CSV_FIELDS = (
    "linkedid", "direction", "caller_raw", "caller_e164", "did", "disposition", "queue", "answering_agent",
    "first_agent_rung", "transferred_to", "hold_count", "survey_score", "wait_s", "talk_s", "start_utc",
)  # fmt: skip
