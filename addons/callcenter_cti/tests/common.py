import os

from odoo.tests import common as odoo_test_common

# On a loaded machine Chromium may need more than Odoo's 10 s to start; a browser test skipped for that proves
# nothing (bin/test counts such skips as errors), so the browser tests of the suite wait up to 60 s.
odoo_test_common.CHECK_BROWSER_ITERATIONS = max(odoo_test_common.CHECK_BROWSER_ITERATIONS, 600)

_HERE = os.path.dirname(os.path.abspath(__file__))


def fixtures_dir():
    """``../shared/fixtures/ami`` beside the project's root (CALLCENTER_FIXTURES overrides it)."""
    default = os.path.join(_HERE, "..", "..", "..", "..", "shared", "fixtures", "ami")
    return os.path.normpath(os.environ.get("CALLCENTER_FIXTURES", default))


def fixture_path(name):
    return os.path.join(fixtures_dir(), name)


RECOVERY_ACTIONS = ("CoreShowChannels", "Status", "QueueStatus", "BridgeList")


def transcript_feed(name):
    """What the bridge's pipeline receives when the PBX of a transcript is live, in order.

    Yields ("message", message, at), and around a reconnect ("down", None, at) then ("recovered", lists, at),
    where lists are the recorded answers to the recovery actions the bridge sends after connecting.
    """
    from ..cti import callstate, transcript  # noqa: PLC0415  (keeps this module importable alone)

    loaded = transcript.load(fixture_path(name))
    for number, connection in sorted(loaded.connections.items()):
        if not connection.has_greeting:
            continue
        if number > 1:
            yield "down", None, connection.messages[0].received_at.timestamp()
        recovery_ids = {
            a.get("ActionID"): a.get("Action")
            for a in connection.actions
            if a.get("Action") in RECOVERY_ACTIONS
        }
        lists = {action: [] for action in recovery_ids.values()}
        for message in connection.messages[1:]:
            action = recovery_ids.get(message.get("ActionID"))
            if action:
                lists[action].append(callstate.message_from_headers(message.headers))
        if number > 1:
            yield "recovered", lists, connection.messages[0].received_at.timestamp()
        for message in connection.messages[1:]:
            if number > 1 and message.get("ActionID") in recovery_ids:
                continue
            yield "message", callstate.message_from_headers(message.headers), message.received_at.timestamp()


def feed_pipeline(pipeline, name, drain_every=200, on_drain=None):
    """Push a transcript into a bridge pipeline as the live AMI client would (reconnects included)."""
    for kind, payload, at in transcript_feed(name):
        if kind == "down":
            pipeline.link_down(at)
        elif kind == "recovered":
            pipeline.link_recovered(payload, at)
        else:
            pipeline.receive(payload, at)
        if len(pipeline.unfed) >= drain_every:
            (on_drain or pipeline.drain)()


def replay_into(env, server, names, batch=500):
    """Feed transcripts through the real pipeline (journal, state machine, sink) into ``server``'s records."""
    import tempfile  # noqa: PLC0415

    from ..cti.pipeline import Pipeline  # noqa: PLC0415

    sink = env["cc.cti.sink"]
    pipeline = Pipeline(
        tempfile.mkdtemp(prefix="cti-test-"), lambda events, seq: sink._cti_apply(server, events, seq)
    )
    pipeline.start(server.journal_applied_seq)
    for name in names:
        feed_pipeline(pipeline, name, drain_every=batch)
    while not pipeline.idle:
        pipeline.drain()
    pipeline.close()
    return env["cc.call"].search([("server_id", "=", server.id)], order="start, id")


def replay_until(env, server, name, event, occurrence=1):
    """Feed a transcript through the real pipeline into ``server`` and stop after the ``occurrence``-th AMI
    ``event``: the records as they were at that moment of the recorded call."""
    import tempfile  # noqa: PLC0415

    from ..cti.pipeline import Pipeline  # noqa: PLC0415

    sink = env["cc.cti.sink"]
    pipeline = Pipeline(
        tempfile.mkdtemp(prefix="cti-test-"), lambda events, seq: sink._cti_apply(server, events, seq)
    )
    pipeline.start(server.journal_applied_seq)
    seen = 0
    for kind, message, at in transcript_feed(name):
        if kind != "message":
            continue
        pipeline.receive(message, at)
        seen += message.get("Event") == event
        if seen == occurrence:
            break
    while not pipeline.idle:
        pipeline.drain()
    pipeline.close()


def bus_payloads(env, user, kind):
    """Payloads of bus notifications ``kind`` sent to ``user`` in this transaction (the bus writes them at
    commit, so a test reads them from the transaction's pending values)."""
    import json  # noqa: PLC0415

    found = []
    for values in env.cr.precommit.data.get("bus.bus.values", []):
        channel, message = json.loads(values["channel"]), json.loads(values["message"])
        if channel[1:] == ["res.partner", user.partner_id.id] and message["type"] == kind:
            found.append(message["payload"])
    return found


def hoot_suite_url(suite):
    """The URL that runs one Hoot suite headless (e.g. "@callcenter_cti"): Hoot selects jobs by a hash of
    their path (the same hash as odoo/addons/web/tests/test_js.py)."""
    value = 0
    for char in suite:
        value = ((value << 5) - value + ord(char)) & 0xFFFFFFFF
    return f"/web/tests?headless&loglevel=2&preset=desktop&timeout=15000&id={value:08x}"


def run_hoot_suite(case, suite):
    """Run ``suite``'s Hoot tests in the real browser of an HttpCase; fails on any failed test."""
    from odoo.addons.web.tests.test_js import unit_test_error_checker  # noqa: PLC0415

    case.browser_js(
        hoot_suite_url(suite),
        "",
        "",
        login="admin",
        timeout=900,
        success_signal="[HOOT] Test suite succeeded",
        error_checker=unit_test_error_checker,
    )
