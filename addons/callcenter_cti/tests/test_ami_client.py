"""The bridge's AMI client against the replay server: every event, in order, whatever the link does."""

import asyncio
import os

from odoo.tests import BaseCase

from ..cti import ami_client, replay_server, transcript
from .common import fixture_path

LOGGER = "odoo.addons.callcenter_cti.cti.ami_client"
RECOVERY = ("CoreShowChannels", "Status", "QueueStatus", "BridgeList")


def run(coroutine, timeout=30):
    return asyncio.run(asyncio.wait_for(coroutine, timeout))


def load(name):
    return transcript.load(fixture_path(name))


as_dict = transcript.message_from_headers  # a recorded message in the client's message form


def recorded_events(recorded, skip_action_ids=()):
    """[(connection, event)] as the client must deliver them, held answers it did not ask for left out."""
    return [
        (m.connection, as_dict(m.headers))
        for m in recorded.messages()
        if m.get("Event") and m.get("ActionID") not in skip_action_ids
    ]


def held_action_ids(recorded, names=replay_server.HELD_ACTIONS):
    return {a.get("ActionID") for a in recorded.actions() if a.get("Action", "").lower() in names}


async def eventually(condition, timeout=10.0, step=0.01):
    async with asyncio.timeout(timeout):
        while not condition():
            await asyncio.sleep(step)


class Harness:
    """A replay server and an AmiClient collecting what it delivers."""

    def __init__(self, transcripts, server_options=None, **client_options):
        options = {"hold_timeout": 0.05, "linger": 0.05, **(server_options or {})}
        self.server = replay_server.ReplayServer(transcripts, **options)
        # Backoff short enough for quick tests, long enough that the client is stopped before it
        # reconnects to a server that has played everything.
        self.client_options = {"backoff_min": 0.2, "backoff_max": 0.4, **client_options}
        self.events = []
        self.connected = []
        self.disconnected = []

    def on_message(self, message, received, connection_no):
        self.events.append((connection_no, message))

    async def __aenter__(self):
        if self.server.finished is None:
            await self.server.start()
        options = {"on_message": self.on_message, "on_disconnected": self.disconnected.append}
        options.update(self.client_options)
        self.client = ami_client.AmiClient("127.0.0.1", self.server.port, "cti", "cti-secret", **options)
        self.task = asyncio.create_task(self.client.run())
        return self

    async def __aexit__(self, *exc):
        await self.client.stop()
        await asyncio.wait_for(self.task, 5)
        await self.server.close()

    async def played(self, timeout=15):
        await asyncio.wait_for(asyncio.shield(self.server.finished), timeout)
        await eventually(lambda: not self.client.stats["connected"], timeout)


class TestAmiClientStreams(BaseCase):
    def receive_all(self, name):
        recorded = load(name)

        async def scenario():
            async with Harness([recorded]) as harness:
                await harness.played()
                return harness.events, harness.client.stats

        events, stats = run(scenario())
        self.assertEqual(events, recorded_events(recorded, held_action_ids(recorded)), name)
        self.assertEqual(stats["malformed"] + stats["oversized"] + stats["truncated"] + stats["unknown"], 0)
        return stats

    def test_every_event_of_every_transcript_in_order(self):
        directory = os.path.dirname(fixture_path("x"))
        for name in sorted(n for n in os.listdir(directory) if n.endswith(".ami") and n[0] not in "nop"):
            with self.subTest(name), self.assertNoLogs(LOGGER, "WARNING"):
                self.receive_all(name)

    def test_n_burst_at_max_speed(self):
        with self.assertNoLogs(LOGGER, "WARNING"):
            stats = self.receive_all("n-burst-50-calls.ami")
        self.assertEqual(stats["events"], 9356)

    def test_p_restart_reconnects_past_a_connection_without_greeting(self):
        with self.assertLogs(LOGGER, "WARNING") as logs:
            stats = self.receive_all("p-asterisk-restart-while-connected.ami")
        self.assertGreaterEqual(stats["no_greeting"], 1)
        self.assertTrue(any("no AMI greeting" in line for line in logs.output))

    def test_message_form_and_receipt_stamp(self):
        recorded = load("j-agent-login-pause-logout.ami")
        stamps = []

        async def scenario():
            async with Harness(
                [recorded], on_message=lambda m, received, n: stamps.append(received)
            ) as harness:
                await harness.played()

        run(scenario())
        self.assertTrue(stamps and all(isinstance(s, float) for s in stamps))
        self.assertEqual(stamps, sorted(stamps))


class TestAmiClientRecovery(BaseCase):
    def test_o_recovery_gets_recorded_answers_with_client_action_ids(self):
        recorded = load("o-reconnect-state-recovery.ami")
        answers, calls_before_recovery = {}, {}

        async def recover(client):
            number = len(answers) + 1
            answers[number] = {name: await client.send_action({"Action": name}) for name in RECOVERY}
            calls_before_recovery[number] = [e for n, e in harness.events if e.get("Event") == "Newchannel"]

        # Only what the bridge sends is held, with generous waits: the test must not depend on CPU load.
        held = {name.lower() for name in RECOVERY}
        server_options = {"held_actions": held, "hold_timeout": 5.0, "linger": 0.5}

        async def scenario():
            nonlocal harness
            harness = Harness([recorded], server_options, on_connected=recover)
            async with harness:
                await harness.played()
                return harness.events, harness.disconnected

        harness = None
        events, disconnected = run(scenario())
        self.assertEqual(sorted(answers), [1, 2])
        self.assertEqual(calls_before_recovery[1], [], "the made-up empty lists come before the calls")
        self.assertEqual(len(disconnected), 2)
        self.assertEqual(len(answers[1]["CoreShowChannels"]), 2, "c=1: an empty list (no recorded answer)")
        self.assertRecordedAnswers(answers[2], recorded.connections[2])
        # The list items were delivered to on_message too, and everything else in recorded order.
        asked = {answers[n][name][0]["ActionID"] for n in answers for name in RECOVERY}
        streamed = [(n, e) for n, e in events if e.get("ActionID") not in asked]
        self.assertEqual(streamed, recorded_events(recorded, held_action_ids(recorded, held)))

    def assertRecordedAnswers(self, answers, connection):
        """Each answer is the recorded one, item for item, with the client's ActionID."""
        recorded_ids = {a.get("Action"): a.get("ActionID") for a in connection.actions}
        for name, got in answers.items():
            mine = got[0]["ActionID"]
            recorded = [m for m in connection.messages if m.get("ActionID") == recorded_ids[name]]
            self.assertEqual(got, [as_dict(m.headers) | {"ActionID": mine} for m in recorded], name)

    def test_events_during_recovery_are_delivered_in_order(self):
        recorded = load("a-ivr-queue-answer-caller-hangup.ami")
        seen_during = []

        async def slow_recovery(client):
            await asyncio.sleep(0.1)
            seen_during.append(len(harness.events))

        async def scenario():
            nonlocal harness
            harness = Harness([recorded], on_connected=slow_recovery)
            async with harness:
                await harness.played()
                return harness.events

        harness = None
        events = run(scenario())
        self.assertGreater(seen_during[0], 0, "events flow while on_connected runs")
        self.assertEqual(events, recorded_events(recorded))


class TestAmiClientFaults(BaseCase):
    def test_broken_frames_are_counted_and_the_stream_continues(self):
        recorded = load("a-ivr-queue-answer-caller-hangup.ami")
        faults = [
            ("malformed_line", 10),
            ("headless", 20),
            ("invalid_utf8", 30),
            ("unknown_event", 40),
            ("oversized", 50),
            ("close_mid_message", 60),
        ]

        async def scenario():
            async with Harness([recorded], {"resume": True, "faults": faults}) as harness:
                await harness.played()
                return harness.events, harness.client.stats

        with self.assertLogs(LOGGER, "WARNING") as logs:
            events, stats = run(scenario())
        self.assertEqual(stats["malformed"], 3)  # a line without colon, no Event/Response, invalid UTF-8
        self.assertEqual(stats["unknown"], 1)
        self.assertEqual(stats["oversized"], 1)
        self.assertEqual(stats["truncated"], 1)
        self.assertEqual(stats["reconnects"], 1)
        self.assertTrue(any("inside a message" in line for line in logs.output))
        injected = [
            e for _n, e in events if e.get("Privilege") in ("user,all",) or e["Event"] == "ReplayUnknownEvent"
        ]
        injected += [e for _n, e in events if e == {"Event": "VarSet", "Privilege": "dialplan,all"}]
        self.assertEqual(len(injected), 3)
        self.assertEqual(
            [e for n, e in events if e not in injected], [e for _n, e in recorded_events(recorded)]
        )
        self.assertEqual({n for n, _e in events}, {1, 2})

    def test_oversized_frame_without_terminator_within_limit(self):
        recorded = load("d-after-hours-voicemail.ami")

        async def scenario():
            server_options = {"faults": [("oversized", 5)]}
            async with Harness([recorded], server_options, max_frame_bytes=64 * 1024) as harness:
                await harness.played()
                return harness.events, harness.client.stats

        with self.assertLogs(LOGGER, "WARNING"):
            events, stats = run(scenario())
        self.assertEqual(stats["oversized"], 1)
        self.assertEqual([e for _n, e in events], [e for _n, e in recorded_events(recorded)])

    def test_refused_port_then_available(self):
        recorded = load("d-after-hours-voicemail.ami")

        async def scenario():
            harness = Harness([recorded])
            await harness.server.start()
            refusing = asyncio.create_task(harness.server.refuse_for(0.4))
            await asyncio.sleep(0)  # the port refuses from here on
            async with harness:
                await refusing
                await harness.played()
                return harness.events, harness.client.stats

        with self.assertLogs(LOGGER, "WARNING") as logs:
            events, stats = run(scenario())
        self.assertGreaterEqual(stats["connect_failures"], 2)
        self.assertLess(stats["connect_failures"], 40, "backoff, not a busy loop")
        self.assertEqual(events, recorded_events(recorded))
        self.assertTrue(any("cannot connect" in line for line in logs.output))

    def test_login_failure_is_retried_with_backoff(self):
        recorded = load("d-after-hours-voicemail.ami")

        async def scenario():
            harness = Harness([recorded], {"loop": True}, backoff_min=0.02, backoff_max=0.1)
            harness.server.secret = "another-secret"
            async with harness:
                await eventually(lambda: harness.client.stats["login_failures"] >= 3)
                return harness.events, harness.client.stats

        with self.assertLogs(LOGGER, "WARNING") as logs:
            events, stats = run(scenario())
        self.assertEqual(events, [])
        self.assertFalse(stats["connected"])
        self.assertTrue(any("refused: Authentication failed" in line for line in logs.output))

    def test_failing_on_message_drops_the_link(self):
        """An event that cannot be journaled must not be followed by later ones on the same link."""
        recorded = load("a-ivr-queue-answer-caller-hangup.ami")
        delivered = []

        def on_message(message, received, connection_no):
            if len(delivered) == 25:
                delivered.append(None)
                raise OSError("disk full")
            delivered.append((connection_no, message))

        async def scenario():
            async with Harness([recorded], {"loop": True}, on_message=on_message) as harness:
                await eventually(lambda: delivered and delivered[-1] and delivered[-1][0] == 2)
                return harness.client.stats

        with self.assertLogs(LOGGER, "ERROR") as logs:
            stats = run(scenario())
        self.assertEqual(stats["callback_errors"], 1)
        self.assertEqual(stats["reconnects"], 1)
        self.assertTrue(any("disk full" in line for line in logs.output))
        expected = [(1, e) for _n, e in recorded_events(recorded)]
        self.assertEqual(delivered[:25], expected[:25])
        self.assertEqual(delivered[26][0], 2, "after the failed event: the next connection, nothing else")


class TestAmiClientActions(BaseCase):
    def test_send_action_when_not_connected(self):
        client = ami_client.AmiClient("127.0.0.1", 1, "cti", "x", on_message=lambda *a: None)
        with self.assertRaisesRegex(ami_client.AmiError, "Ping: not connected"):
            run(client.send_action({"Action": "Ping"}))

    def test_send_action_timeout_and_ping_watchdog(self):
        recorded = load("d-after-hours-voicemail.ami")
        errors = []

        async def recover(client):
            if client.stats["reconnects"] == 0:
                await client.send_action({"Action": "Ping"}, timeout=2)  # answered
                harness.server.inject("silence")
                await asyncio.sleep(0.05)
                try:
                    await client.send_action({"Action": "QueueAdd", "Queue": "support"}, timeout=0.1)
                except ami_client.AmiError as exc:
                    errors.append(str(exc))

        async def scenario():
            nonlocal harness
            harness = Harness(
                [recorded], {"speed": 1.0, "loop": True}, on_connected=recover, ping_interval=0.2
            )
            async with harness:
                await eventually(
                    lambda: harness.client.stats["reconnects"] >= 1 and harness.client.stats["connected"]
                )
                return dict(harness.client.stats)

        harness = None
        with self.assertLogs(LOGGER, "WARNING") as logs:
            stats = run(scenario())
        self.assertEqual(errors, ["QueueAdd: no answer within 0.1 s"])
        self.assertTrue(any("Ping unanswered" in line for line in logs.output))
        self.assertTrue(stats["connected"])

    def test_action_values_with_line_breaks_are_refused(self):
        recorded = load("d-after-hours-voicemail.ami")

        async def scenario():
            async with Harness([recorded], {"speed": 1.0}) as harness:
                await eventually(lambda: harness.client.stats["connected"])
                with self.assertRaisesRegex(ami_client.AmiError, "line break"):
                    await harness.client.send_action(
                        {"Action": "Originate", "Channel": "x\r\nAction: Hangup"}
                    )
                return harness.server.received_actions

        actions = run(scenario())
        self.assertFalse([a for a in actions if a.get("Action") in ("Originate", "Hangup")])
