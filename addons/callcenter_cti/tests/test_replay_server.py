"""The replay server against a raw TCP client: what Asterisk sent is what the client gets."""

import asyncio
import os
import re
import subprocess
import sys
import time

from odoo.tests import BaseCase

from ..cti import callstate, replay_server, transcript
from .common import fixture_path

HELD = {"CoreShowChannels", "Status", "QueueStatus", "QueueSummary", "BridgeList", "DeviceStateList"}


def run(coroutine, timeout=30):
    """Run one test coroutine; a hang fails the test instead of blocking the suite."""
    return asyncio.run(asyncio.wait_for(coroutine, timeout))


def load(name):
    return transcript.load(fixture_path(name))


def login_id(connection):
    logins = [a for a in connection.actions if a.get("Action") == "Login"]
    return logins[0].get("ActionID") if logins else "login-1"


def login_frame(action_id, secret="cti-secret"):
    return f"Action: Login\r\nActionID: {action_id}\r\nUsername: cti\r\nSecret: {secret}\r\n\r\n".encode()


def action_frame(name, action_id, **fields):
    lines = [f"Action: {name}", f"ActionID: {action_id}"] + [f"{k}: {v}" for k, v in fields.items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


def held_ids(connection):
    return {a.get("ActionID") for a in connection.actions if a.get("Action") in HELD}


def expected_stream(connection):
    """The recorded bytes, less the answers to recovery actions this client does not send."""
    held = held_ids(connection)
    return b"".join(m.raw for m in connection.messages if m.get("ActionID") not in held)


async def raw_session(port, frames=(), read_timeout=20):
    """Connect, send ``frames``, read until the server closes; everything received."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    for frame in frames:
        writer.write(frame)
    try:
        return await asyncio.wait_for(reader.read(), read_timeout)
    except ConnectionResetError:
        return b""  # closed without reading our Login: a reset, as from a dying Asterisk
    finally:
        writer.close()


def frames_of(data):
    """Split received bytes into messages (the greeting line first)."""
    greeting, _sep, rest = data.partition(b"\r\n")
    return [greeting] + [frame + b"\r\n\r\n" for frame in rest.split(b"\r\n\r\n")[:-1]]


def headers(frame):
    return dict(transcript.parse_headers(frame))


class TestReplayStreams(BaseCase):
    """Each recorded connection, as bytes: equal to the recording, the login answer made by the server."""

    def play_all(self, name, **options):
        recorded = load(name)

        async def scenario():
            server = replay_server.ReplayServer([recorded], hold_timeout=0.05, linger=0.02, **options)
            async with server:
                received = {}
                for number, connection in recorded.connections.items():
                    received[number] = await raw_session(server.port, [login_frame(login_id(connection))])
                await asyncio.wait_for(server.finished, 5)
                return received, server.stats

        received, stats = run(scenario())
        for number, connection in recorded.connections.items():
            self.assertEqual(received[number], expected_stream(connection), f"{name} c={number}")
        self.assertEqual(stats["played"], len(recorded.connections))
        return received

    def test_a_stream_equals_recording(self):
        received = self.play_all("a-ivr-queue-answer-caller-hangup.ami")
        self.assertTrue(received[1].startswith(b"Asterisk Call Manager/11.0.0\r\nResponse: Success\r\n"))

    def test_n_burst_at_max_speed(self):
        started = time.monotonic()
        received = self.play_all("n-burst-50-calls.ami")
        self.assertLess(time.monotonic() - started, 5.0, "41.6 s of burst must replay in seconds")
        self.assertEqual(received[1].count(b"Event: AgentConnect\r\n"), 50)

    def test_o_reconnect_gets_the_second_connection(self):
        received = self.play_all("o-reconnect-state-recovery.ami")
        self.assertIn(b"Event: FullyBooted", received[2])
        self.assertNotIn(b"Event: CoreShowChannel\r\n", received[2], "recovery answers wait for the action")

    def test_p_restart_with_a_connection_without_greeting(self):
        received = self.play_all("p-asterisk-restart-while-connected.ami")
        self.assertIn(b"Event: Shutdown", received[1])
        self.assertEqual(received[2], b"", "c=2 was accepted and closed without a greeting")
        self.assertTrue(received[3].startswith(b"Asterisk Call Manager/"))

    def test_p_at_recorded_pace_refuses_connects_after_the_restart(self):
        recorded = load("p-asterisk-restart-while-connected.ami")

        async def scenario():
            async with replay_server.ReplayServer([recorded], speed=10, linger=0.0) as server:
                first = await raw_session(server.port, [login_frame("p-001")])
                without_greeting = await raw_session(server.port, [login_frame("p-002")])
                with self.assertRaises(ConnectionRefusedError):  # 3 refused attempts were recorded
                    await asyncio.open_connection("127.0.0.1", server.port)
                await asyncio.sleep(0.15)  # (7.23 s - 6.40 s) / 10
                return first, without_greeting, await raw_session(server.port, [login_frame("p-004")])

        first, without_greeting, third = run(scenario())
        self.assertEqual(first, recorded.connections[1].stream())
        self.assertEqual(without_greeting, b"")
        self.assertEqual(third, expected_stream(recorded.connections[3]))

    def test_every_transcript_replays(self):
        for path in sorted(os.listdir(os.path.dirname(fixture_path("x")))):
            if path.endswith(".ami") and path[0] not in "nop":
                with self.subTest(path):
                    self.play_all(path)

    def test_recorded_pace(self):
        recorded = load("a-ivr-queue-answer-caller-hangup.ami")
        connection = recorded.connections[1]
        duration = (connection.closed_at - connection.opened_at) / 20

        async def scenario():
            async with replay_server.ReplayServer([recorded], speed=20, linger=0.0) as server:
                started = time.monotonic()
                data = await raw_session(server.port, [login_frame(login_id(connection))])
                return data, time.monotonic() - started

        data, elapsed = run(scenario())
        self.assertEqual(data, connection.stream())
        self.assertGreater(elapsed, duration * 0.9)
        self.assertLess(elapsed, duration + 1.0)


class TestReplayActions(BaseCase):
    def test_held_recovery_answers_carry_the_client_action_id(self):
        recorded = load("o-reconnect-state-recovery.ami")
        c2 = recorded.connections[2]

        async def scenario():
            async with replay_server.ReplayServer([recorded], hold_timeout=0.05, linger=0.02) as server:
                await raw_session(server.port, [login_frame("x-1")])
                frames = [login_frame("x-2"), action_frame("CoreShowChannels", "mine-1")]
                return await raw_session(server.port, frames), server.received_actions

        data, actions = run(scenario())
        answer = [f for f in frames_of(data) if headers(f).get("ActionID") == "mine-1"]
        recorded_answer = [m.raw for m in c2.messages if m.get("ActionID") == "o-006"]
        self.assertEqual(
            answer, [raw.replace(b"ActionID: o-006\r\n", b"ActionID: mine-1\r\n") for raw in recorded_answer]
        )
        self.assertEqual(len(answer), 12)  # response, 10 channels, Complete
        self.assertIn({"Action": "CoreShowChannels", "ActionID": "mine-1"}, actions)

    def test_stream_waits_at_a_held_answer_for_the_request(self):
        """What followed the recorded CoreShowChannels answer still follows it (a snapshot, then news)."""
        recorded = load("o-reconnect-state-recovery.ami")

        async def scenario():
            async with replay_server.ReplayServer([recorded], hold_timeout=5.0, linger=0.02) as server:
                await raw_session(server.port, [login_frame("x-1")])
                reader, writer = await asyncio.open_connection("127.0.0.1", server.port)
                writer.write(login_frame("x-2"))
                await asyncio.sleep(0.3)
                writer.write(action_frame("CoreShowChannels", "late-1"))
                for name in ("Status", "QueueStatus", "QueueSummary", "BridgeList", "DeviceStateList"):
                    writer.write(action_frame(name, f"late-{name}"))
                data = await asyncio.wait_for(reader.read(), 10)
                writer.close()
                return data

        frames = [headers(f) for f in frames_of(run(scenario()))[1:]]
        events = [f.get("Event") for f in frames]
        complete = events.index("CoreShowChannelsComplete")
        self.assertIn("Hangup", events[complete:], "the calls end after the snapshot")
        self.assertNotIn("Hangup", events[:complete])

    def test_unrecorded_actions_get_success_and_are_recorded(self):
        recorded = load("a-ivr-queue-answer-caller-hangup.ami")
        frames = [
            login_frame("l-1"),
            action_frame("QueueAdd", "q-1", Queue="support", Interface="PJSIP/8001"),
            action_frame("BridgeList", "b-1"),
            action_frame("Ping", "p-1"),
        ]

        async def scenario():
            async with replay_server.ReplayServer([recorded], linger=0.2) as server:
                return await raw_session(server.port, frames), server.received_actions

        data, actions = run(scenario())
        answers = {
            h.get("ActionID"): h for h in map(headers, frames_of(data)) if h.get("ActionID") in ("q-1", "p-1")
        }
        self.assertEqual(answers["q-1"]["Response"], "Success")
        self.assertEqual(answers["p-1"]["Ping"], "Pong")
        self.assertIn(
            b"Event: BridgeListComplete\r\nActionID: b-1\r\nEventList: Complete\r\nListItems: 0\r\n", data
        )
        self.assertIn(
            {"Action": "QueueAdd", "ActionID": "q-1", "Queue": "support", "Interface": "PJSIP/8001"}, actions
        )

    def test_originate_answer_goes_to_the_client(self):
        """With Originate held, the recorded answer and the later OriginateResponse carry the client's id."""
        recorded = load("g-click-to-dial.ami")
        originate = action_frame("Originate", "click-1", Channel="Local/8001@agents")

        async def scenario():
            server = replay_server.ReplayServer(
                [recorded], held_actions=replay_server.HELD_ACTIONS | {"originate"}
            )
            async with server:
                return await raw_session(server.port, [login_frame("l-1"), originate])

        frames = [headers(f) for f in frames_of(run(scenario()))]
        mine = [f for f in frames if f.get("ActionID") == "click-1"]
        self.assertEqual(mine[0]["Message"], "Originate successfully queued")
        self.assertEqual([f.get("Event") for f in mine[1:]], ["OriginateResponse"])
        self.assertFalse([f for f in frames if f.get("ActionID") == "g-002"], "no recorded ActionID leaks")

    def test_wrong_secret_is_refused_and_closed(self):
        recorded = load("a-ivr-queue-answer-caller-hangup.ami")

        async def scenario():
            async with replay_server.ReplayServer([recorded]) as server:
                return await raw_session(server.port, [login_frame("l-1", secret="wrong")]), server.stats

        data, stats = run(scenario())
        self.assertEqual(
            data,
            b"Asterisk Call Manager/11.0.0\r\n"
            b"Response: Error\r\nActionID: l-1\r\nMessage: Authentication failed\r\n\r\n",
        )
        self.assertEqual(stats["login_failures"], 1)

    def test_logoff_answers_goodbye_and_closes(self):
        recorded = load("a-ivr-queue-answer-caller-hangup.ami")

        async def scenario():
            async with replay_server.ReplayServer([recorded], speed=1.0) as server:
                return await raw_session(server.port, [login_frame("l-1"), action_frame("Logoff", "bye-1")])

        data = run(scenario(), timeout=5)
        self.assertTrue(
            data.endswith(
                b"Response: Goodbye\r\nActionID: bye-1\r\nMessage: Thanks for all the fish.\r\n\r\n"
            )
        )


class TestReplaySequencing(BaseCase):
    def test_loop_repeats_with_distinct_ids(self):
        recorded = load("a-ivr-queue-answer-caller-hangup.ami")

        async def scenario():
            async with replay_server.ReplayServer([recorded], loop=True, linger=0.0) as server:
                return [await raw_session(server.port, [login_frame("a-001")]) for _ in range(3)]

        first, second, third = run(scenario())
        self.assertEqual(first, recorded.connections[1].stream())
        self.assertEqual(second, replay_server.rewrite_ids(first, "-r2"))
        self.assertIn(b"Uniqueid: 1795316338.0-r3\r\n", third)
        self.assertIn(b"Channel: Local/5000@inbound-00000000-r2;1\r\n", second)
        self.assertNotIn(b"Uniqueid: 1795316338.0\r\n", second)

    def test_rewrite_ids_touches_ids_only(self):
        raw = (
            b"Event: BridgeEnter\r\nChannel: Local/8001@agents-00000001;1\r\nUniqueid: 1795316338.2\r\n"
            b"Linkedid: 1795316338.0\r\nBridgeUniqueid: ec0944c1-42a2-4856-bbe2-6e786889eb62\r\n"
            b"CallerIDNum: 15551230001\r\nConnectedLineNum: <unknown>\r\nContext: agents\r\n\r\n"
        )
        expected = (
            b"Event: BridgeEnter\r\nChannel: Local/8001@agents-00000001-r2;1\r\nUniqueid: 1795316338.2-r2\r\n"
            b"Linkedid: 1795316338.0-r2\r\nBridgeUniqueid: ec0944c1-42a2-4856-bbe2-6e786889eb62-r2\r\n"
            b"CallerIDNum: 15551230001\r\nConnectedLineNum: <unknown>\r\nContext: agents\r\n\r\n"
        )
        self.assertEqual(replay_server.rewrite_ids(raw, "-r2"), expected)

    def test_multiply_gives_distinct_linkedids(self):
        burst = load("n-burst-50-calls.ami")
        doubled = replay_server.multiply(burst, 2)
        linkedids = {m.get("Linkedid") for m in doubled.messages() if m.get("Event") == "QueueCallerJoin"}
        self.assertEqual(len(linkedids), 100)
        joins = [m for m in doubled.messages() if m.get("Event") == "AgentConnect"]
        self.assertEqual(len(joins), 100)
        offsets = [m.offset for m in doubled.connections[1].messages]
        self.assertEqual(offsets, sorted(offsets))
        self.assertEqual(sum(1 for m in doubled.messages() if m.get("Event") == "FullyBooted"), 1)

    def test_multiplied_transcript_is_served(self):
        recorded = load("d-after-hours-voicemail.ami")
        tripled = replay_server.multiply(recorded, 3)

        async def scenario():
            async with replay_server.ReplayServer([tripled], linger=0.0) as server:
                return await raw_session(server.port, [login_frame("d-001")])

        frames = [headers(f) for f in frames_of(run(scenario()))]
        hangups = [f for f in frames if f.get("Event") == "Hangup"]
        self.assertEqual(len(hangups), 3 * sum(1 for m in recorded.messages() if m.get("Event") == "Hangup"))
        self.assertEqual(len({f["Linkedid"] for f in hangups}), 3)
        self.assertEqual(sum(1 for f in frames if f.get("Response") == "Goodbye"), 1)

    def test_concurrent_files_interleave_in_one_connection(self):
        first, second = load("a-ivr-queue-answer-caller-hangup.ami"), load("c-abandon-in-queue.ami")

        async def scenario():
            async with replay_server.ReplayServer([first, second], concurrent=True, linger=0.0) as server:
                data = await raw_session(server.port, [login_frame("l-1")])
                await asyncio.wait_for(server.finished, 5)
                return data

        frames = [headers(f) for f in frames_of(run(scenario()))[2:]]
        recorded = [m for t in (first, second) for m in t.connections[1].messages if m.get("Event")]
        self.assertEqual(len([f for f in frames if "Event" in f]), len(recorded))
        self.assertIn("Local/5000@inbound-00000000-f1;1", {f.get("Channel") for f in frames})
        self.assertIn("Local/5000@inbound-00000000;1", {f.get("Channel") for f in frames})

    def test_several_files_play_one_after_another(self):
        first, second = load("d-after-hours-voicemail.ami"), load("l-blacklisted-caller.ami")

        async def scenario():
            async with replay_server.ReplayServer([first, second], linger=0.0) as server:
                one = await raw_session(server.port, [login_frame("d-001")])
                two = await raw_session(server.port, [login_frame("l-001")])
                await asyncio.wait_for(server.finished, 5)
                return one, two

        one, two = run(scenario())
        self.assertEqual(one, first.connections[1].stream())
        self.assertEqual(two, second.connections[1].stream())

    def test_resume_continues_after_an_early_disconnect(self):
        recorded = load("a-ivr-queue-answer-caller-hangup.ami")
        stream = recorded.connections[1].stream()

        async def scenario():
            server = replay_server.ReplayServer([recorded], resume=True, linger=0.0)
            server.inject("close_mid_message", after=40)
            async with server:
                cut = await raw_session(server.port, [login_frame("a-001")])
                rest = await raw_session(server.port, [login_frame("a-001")])
                return cut, rest

        cut, rest = run(scenario())
        whole = cut[: cut.rindex(b"\r\n\r\n") + 4]
        self.assertTrue(stream.startswith(whole))
        self.assertNotEqual(cut, whole, "the cut ends inside a message")
        login = b"Asterisk Call Manager/11.0.0\r\n" + headers_bytes("a-001")
        self.assertTrue(rest.startswith(login))
        self.assertEqual(whole + rest[len(login) :], stream)

    def test_refuse_for_refuses_then_accepts(self):
        recorded = load("d-after-hours-voicemail.ami")

        async def scenario():
            async with replay_server.ReplayServer([recorded], linger=0.0) as server:
                refusing = asyncio.create_task(server.refuse_for(0.3))
                await asyncio.sleep(0.05)
                with self.assertRaises(ConnectionRefusedError):
                    await asyncio.open_connection("127.0.0.1", server.port)
                await refusing
                return await raw_session(server.port, [login_frame("d-001")])

        self.assertEqual(run(scenario()), recorded.connections[1].stream())

    def test_injected_faults_are_sent(self):
        recorded = load("d-after-hours-voicemail.ami")

        async def scenario():
            faults = [("malformed_line", 1), ("invalid_utf8", 2), ("unknown_event", 3), ("oversized", 4)]
            async with replay_server.ReplayServer([recorded], faults=faults, linger=0.0) as server:
                return await raw_session(server.port, [login_frame("d-001")]), server.stats

        data, stats = run(scenario())
        self.assertEqual(stats["faults"], 4)
        for kind in ("malformed_line", "invalid_utf8", "unknown_event", "oversized"):
            self.assertIn(replay_server.FAULT_FRAMES[kind], data)
        self.assertEqual(
            len(data),
            len(recorded.connections[1].stream())
            + sum(
                len(replay_server.FAULT_FRAMES[k])
                for k in ("malformed_line", "invalid_utf8", "unknown_event", "oversized")
            ),
        )


def headers_bytes(action_id):
    return f"Response: Success\r\nActionID: {action_id}\r\nMessage: Authentication accepted\r\n\r\n".encode()


class TestReplayCli(BaseCase):
    def test_cli_prints_its_port_and_serves(self):
        script = os.path.join(os.path.dirname(replay_server.__file__), "replay_server.py")
        path = fixture_path("d-after-hours-voicemail.ami")
        command = [sys.executable, script, "--port", "0", "--speed", "max", path]
        with subprocess.Popen(
            command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True
        ) as process:
            try:
                line = process.stdout.readline()
                port = int(re.search(r"listening on 127\.0\.0\.1:(\d+)", line).group(1))
                data = run(raw_session(port, [login_frame("d-001")]), timeout=10)
                self.assertEqual(process.wait(timeout=10), 0)
            finally:
                process.kill()
        self.assertEqual(data, transcript.load(path).connections[1].stream())


class TestLiveChannels(BaseCase):
    """After a reconnect the simulated PBX lists the channels that are up, as Asterisk does."""

    def test_channels_up_where_the_stream_stands(self):
        [script] = replay_server.transcript_scripts(load("a-ivr-queue-answer-caller-hangup.ami"))
        entries = script.entries
        connect = next(i for i, e in enumerate(entries) if e.raw.startswith(b"Event: AgentConnect\r\n"))
        live = replay_server.live_channels(entries[:connect])
        names = {fields["Channel"] for fields in live.values()}
        self.assertIn("Local/5000@inbound-00000000;2", names)  # the caller, talking to the agent
        self.assertTrue(all(fields["Linkedid"] for fields in live.values()))
        self.assertEqual(replay_server.live_channels(entries), {})  # everyone hung up at the end


class TestSimulatedAgents(BaseCase):
    """With simulate_agents the PBX carries out queue logins and pauses and reports them as Asterisk does,
    so the state machine sees the agent's desk actions come true (the demo)."""

    def test_login_pause_logout_reach_the_state_machine(self):
        recorded = load("c-abandon-in-queue.ami")
        member = {"Queue": "support", "Interface": "PJSIP/8009"}

        async def scenario():
            async with replay_server.ReplayServer([recorded], simulate_agents=True) as server:
                frames = [
                    login_frame("l-1"),
                    action_frame("QueueAdd", "a-1", MemberName="Agent 8009", Paused="false", **member),
                    action_frame("QueuePause", "a-2", Interface="PJSIP/8009", Paused="true", Reason="lunch"),
                    action_frame("QueuePause", "a-3", Interface="PJSIP/8099", Paused="true"),
                    action_frame("QueueRemove", "a-4", **member),
                    action_frame("Logoff", "a-5"),
                ]
                return await raw_session(server.port, frames)

        raw = frames_of(run(scenario()))[1:]
        received = [headers(frame) for frame in raw]
        answers = {
            f.get("ActionID"): (f.get("Response"), f.get("Message")) for f in received if f.get("Response")
        }
        self.assertEqual(answers["a-2"], ("Success", "Interface paused successfully"))
        self.assertEqual(answers["a-3"], ("Error", "Interface not found"))
        tracker = callstate.CallTracker()
        changes = []
        for frame in raw:
            message = callstate.message_from_headers(transcript.parse_headers(frame))
            changes += [e for e in tracker.feed(message, 0.0) if e.kind == "queue_member_changed"]
        seen = [(c.agent, c.paused, c.reason, c.status) for c in changes][-2:]
        self.assertEqual(seen, [("8009", True, "lunch", "not_inuse"), ("8009", True, "lunch", "removed")])
