"""The call-state machine under duplicates, checkpoints, reconnects and restarts (pure, no database)."""

import dataclasses
import json
import re

from odoo.tests import BaseCase

from ..cti import callstate, events
from .test_callstate import SCENARIOS, Replay, as_message, load, queue_log, received, replay, stamp

SINGLE_CONNECTION = [letter for letter in SCENARIOS if letter not in ("n", "o", "p")]
RECOVERY_ACTIONS = {"CoreShowChannels", "Status", "QueueStatus", "BridgeList"}


def final_agents(run):
    return run.tracker.agent_states()


def duplicated(messages):
    """Each message twice in a row, as a bridge replaying its journal after a crash would."""
    return [rx for rx in messages for _twice in (0, 1)]


def interleaved(messages):
    """Each message again right after the next one: m0 m1 m0 m2 m1 m3 m2 ..."""
    out = []
    for index, rx in enumerate(messages):
        out.append(rx)
        if index:
            out.append(messages[index - 1])
    return out + messages[-1:]


def recovery_split(letter="o"):
    """Connection 1's messages, the recovery lists built from connection 2's responses (grouped by the
    ActionID of the recorded list actions), and the rest of connection 2."""
    connections = load(letter).connections
    list_ids = {
        a.get("ActionID"): a.get("Action")
        for a in connections[2].actions
        if a.get("Action") in RECOVERY_ACTIONS
    }
    lists, rest = {}, []
    for rx in connections[2].messages[1:]:
        action = list_ids.get(rx.get("ActionID"))
        if action and rx.get("Event"):
            lists.setdefault(action, []).append(rx)
        else:
            rest.append(rx)
    return connections[1].messages[1:], lists, rest


def without_interfaces(calls):
    """Attempt interfaces depend on what the tracker already learnt of the members (PJSIP/… vs device)."""
    return {
        lid: {**call, "attempts": [{**attempt, "interface": None} for attempt in call["attempts"]]}
        for lid, call in calls.items()
    }


def without_linkedid(items, linkedid):
    return [rx for rx in items if rx.get("Linkedid") != linkedid]


class TestDuplicates(BaseCase):
    def assertSameOutcome(self, letter, messages):
        single = replay(letter)
        twice = replay(letter, messages)
        self.assertEqual(twice.calls, single.calls, letter)
        self.assertEqual(final_agents(twice), final_agents(single), letter)
        for kind in (
            "call_ended",
            "agent_ringing",
            "agent_ring_stopped",
            "call_answered",
            "call_transferred",
        ):
            self.assertEqual(len(twice.of(kind)), len(single.of(kind)), (letter, kind))
        self.assertEqual(len(twice.of("survey_scored")), len(single.of("survey_scored")))

    def test_every_message_twice(self):
        for letter in SCENARIOS:
            with self.subTest(letter):
                self.assertSameOutcome(letter, duplicated(received(letter)))

    def test_every_message_again_after_the_next(self):
        for letter in SCENARIOS:
            with self.subTest(letter):
                self.assertSameOutcome(letter, interleaved(received(letter)))

    def test_identical_snapshot_is_not_emitted_again(self):
        """A repeated message changes nothing, so it yields no CallChanged."""
        tracker = callstate.CallTracker()
        for rx in received("f"):
            message, at = as_message(rx), stamp(rx)
            tracker.feed(message, at)
            again = tracker.feed(message, at)
            self.assertFalse([e for e in again if e.kind == "call_changed"], rx.get("Event"))

    def test_all_scenarios_through_one_tracker(self):
        """One tracker fed every capture in sequence gives every call exactly as separately."""
        tracker, separate = callstate.CallTracker(), {}
        run = Replay(tracker)
        for letter in SINGLE_CONNECTION:
            separate.update(replay(letter).calls)
            run.feed(received(letter))
        self.assertEqual(without_interfaces(run.calls), without_interfaces(separate))
        self.assertFalse(tracker.calls)


class TestPersistence(BaseCase):
    def test_checkpoint_midway_through_the_burst(self):
        messages = received("n")
        whole = replay("n", messages)
        half = len(messages) // 2
        first = replay("n", messages[:half])
        self.assertTrue(first.tracker.calls)  # calls in progress at the checkpoint
        state = json.loads(json.dumps(first.tracker.to_state()))
        second = replay("n", messages[half:], callstate.CallTracker.from_state(state))
        self.assertEqual(second.events, whole.events[len(first.events) :])
        self.assertEqual({**first.calls, **second.calls}, whole.calls)
        self.assertEqual(final_agents(second), final_agents(whole))

    def test_checkpoint_at_every_message_of_a_transfer(self):
        """Restore from a checkpoint after every single message: the same events as an uninterrupted run."""
        for letter in ("e2", "m", "g"):
            whole = replay(letter)
            tracker, produced = callstate.CallTracker(), []
            for rx in received(letter):
                produced += tracker.feed(as_message(rx), stamp(rx))
                tracker = callstate.CallTracker.from_state(tracker.to_state())
            self.assertEqual(produced, whole.events, letter)

    def test_config_survives_the_checkpoint(self):
        tracker = callstate.CallTracker(
            own_numbers=("5000",), agent_interfaces=("PJSIP/9001",), wrapup_time=5
        )
        restored = callstate.CallTracker.from_state(tracker.to_state())
        self.assertEqual(restored.config, tracker.config)
        self.assertEqual(restored._agent_of_channel("PJSIP/9001-0000002a"), "9001")

    def test_memory_is_bounded(self):
        run = replay("n")
        tracker = run.tracker
        self.assertFalse(tracker.calls or tracker.channels or tracker.names or tracker.conferences)
        self.assertEqual(len(tracker.recent), 50)
        self.assertLessEqual(len(tracker.dead), callstate.DEAD_LIMIT)
        self.assertLessEqual(len(tracker.seen), callstate.SEEN_LIMIT)


class TestRecovery(BaseCase):
    def recover(self, tracker, lists):
        at = max(stamp(rx) for items in lists.values() for rx in items)
        produced = tracker.recover(
            {name: [as_message(rx) for rx in items] for name, items in lists.items()}, at
        )
        return produced, at

    def test_o_reconnect_and_recover(self):
        before, lists, rest = recovery_split()
        run = replay("o", before)
        self.assertEqual(len(run.tracker.calls), 3)
        run.tracker.disconnected(stamp(before[-1]))
        produced, _at = self.recover(run.tracker, lists)
        run.add(produced)
        self.assertFalse([e for e in produced if e.kind == "call_ended"])  # all three calls are still up
        self.assertEqual(len(run.tracker.calls), 3)
        run.feed(rest)
        calls = sorted(run.calls.values(), key=lambda call: call["start"])
        self.assertEqual([c["disposition"] for c in calls], ["answered", "answered", "abandoned"])
        self.assertEqual([c["answering_agent"] for c in calls], ["8001", "8002", None])
        self.assertEqual([c["talk_s"] for c in calls], [10.0, 7.0, None])
        self.assertEqual(calls[2]["wait_s"], 5.0)
        self.assertFalse(run.tracker.calls)
        states = final_agents(run)
        self.assertEqual(states["8003"], ("paused", "training"))
        self.assertFalse([agent for agent, (state, _r) in states.items() if state in ("on_call", "ringing")])
        TestQueueLog.agrees(self, run, "o", 5)

    def test_calls_gone_during_the_outage_are_closed(self):
        """Lists without the channels of two calls: those close at recovery time, their agents are freed."""
        before, lists, rest = recovery_split()
        run = replay("o", before)
        first, second, third = sorted(run.tracker.calls.values(), key=lambda call: call.rec["start"])
        gone = (first.rec["linkedid"], third.rec["linkedid"])
        for lid in gone:
            for name in ("CoreShowChannels", "Status"):
                lists[name] = without_linkedid(lists[name], lid)
        run.tracker.disconnected(stamp(before[-1]))
        produced, at = self.recover(run.tracker, lists)
        run.add(produced)
        ended = {e.linkedid: e.disposition for e in produced if e.kind == "call_ended"}
        self.assertEqual(ended, {gone[0]: "answered", gone[1]: "abandoned"})
        self.assertEqual(run.calls[gone[0]]["end"], at)
        self.assertAlmostEqual(run.calls[gone[0]]["talk_s"], at - run.calls[gone[0]]["answer"], places=6)
        agent_events = [(e.agent, e.state) for e in produced if e.kind == "agent_state_changed"]
        self.assertIn(("8001", "ready"), agent_events)
        self.assertEqual(final_agents(run)["8002"], ("on_call", None))
        run.feed(rest)  # the remaining events of the closed calls are ignored, the live one ends normally
        self.assertEqual(run.calls[second.rec["linkedid"]]["disposition"], "answered")
        self.assertFalse(run.tracker.calls)
        self.assertFalse(
            [a for a, (state, _r) in final_agents(run).items() if state in ("on_call", "ringing")]
        )

    def test_calls_adopted_from_the_lists(self):
        """A tracker that saw nothing before the reconnect rebuilds the three calls from the lists."""
        _before, lists, rest = recovery_split()
        run = Replay(callstate.CallTracker())
        produced, _at = self.recover(run.tracker, lists)
        run.add(produced)
        calls = sorted(run.tracker.calls.values(), key=lambda call: call.rec["start"])
        self.assertEqual([c.rec["state"] for c in calls], ["talking", "talking", "queued"])
        self.assertEqual([c.rec["answering_agent"] for c in calls], ["8001", "8002", None])
        self.assertEqual({c.rec["direction"] for c in calls}, {"inbound"})
        self.assertEqual(calls[2].rec["queue"], "support")
        self.assertEqual(final_agents(run)["8001"], ("on_call", None))
        run.feed(rest)
        ended = sorted(run.calls.values(), key=lambda call: call["start"])
        self.assertEqual([c["disposition"] for c in ended], ["answered", "answered", "abandoned"])
        self.assertEqual([c["talk_s"] for c in ended], [10.0, 7.0, None])
        self.assertFalse(
            [a for a, (state, _r) in final_agents(run).items() if state in ("on_call", "ringing")]
        )

    def test_shutdown_closes_open_calls(self):
        """p without what came between the Reload and the Shutdown (as if lost): Shutdown closes the call."""
        messages = received("p")
        reload_at = next(i for i, rx in enumerate(messages) if rx.get("Event") == "Reload")
        shutdown_at = next(i for i, rx in enumerate(messages) if rx.get("Event") == "Shutdown")
        run = replay("p", messages[: reload_at + 1] + messages[shutdown_at:])
        call = run.only_call()
        end = stamp(messages[shutdown_at])
        self.assertEqual((call["disposition"], call["end"], call["hangup_by"]), ("answered", end, "system"))
        self.assertAlmostEqual(call["talk_s"], end - call["answer"], places=6)
        self.assertFalse(run.tracker.calls or run.tracker.channels)
        self.assertEqual(final_agents(run)["8001"], ("ready", None))


class TestQueueLog(BaseCase):
    @staticmethod
    def agrees(case, run, letter, expected):
        calls, checked = run.by_uniqueid(), 0
        for _time, callid, _queue, agent, event, data in queue_log(letter):
            call = (
                calls[callid] if event in ("CONNECT", "COMPLETECALLER", "COMPLETEAGENT", "ABANDON") else None
            )
            if event == "CONNECT":
                case.assertEqual(call["answering_agent"], callstate.agent_key(agent))
                case.assertAlmostEqual(call["wait_s"], int(data[0]), delta=1)
            elif event in ("COMPLETECALLER", "COMPLETEAGENT"):
                case.assertAlmostEqual(call["talk_s"], int(data[1]), delta=1)
            elif event == "ABANDON":
                case.assertAlmostEqual(call["wait_s"], int(data[2]), delta=1)
            checked += call is not None
        case.assertEqual(checked, expected)

    def test_burst_calls_each_agree(self):
        run = replay("n")
        self.agrees(self, run, "n", 100)
        completes = [row for row in queue_log("n") if row[4].startswith("COMPLETE")]
        self.assertEqual(len(completes), 50)


def pairs(letter):
    return [(as_message(rx), stamp(rx)) for rx in received(letter)]


def production_naming(message):
    """The lab's agents as production PJSIP endpoints: member PJSIP/8001, channels PJSIP/8001-00000001;1."""
    renamed = {}
    for key, value in message.items():
        if isinstance(value, str) and key.endswith("Channel"):
            value = re.sub(r"^Local/(\d+)@agents-", r"PJSIP/\1-", value)
        elif key in ("Interface", "Location") and value.startswith("Local/"):
            value = "PJSIP/" + callstate.agent_key(value)
        renamed[key] = value
    return renamed


def ring_all(stream):
    """a as if the queue rang 8001 and 8002 at once (strategy ringall): 8001 answers, 8002 is cancelled."""
    out = []
    for message, at in stream:
        out.append((message, at))
        event = message.get("Event")
        if event == "AgentCalled":
            other = {**message, "DestChannel": "Local/8002@agents-000000ff;1", "DestUniqueid": "ringall.8002"}
            out.append(({**other, "Interface": "Local/8002@agents/n", "MemberName": "Agent 8002"}, at))
        elif event == "DialEnd" and message.get("DialStatus") == "ANSWER" and message.get("Uniqueid"):
            other = {**message, "DestChannel": "Local/8002@agents-000000ff;1", "DestUniqueid": "ringall.8002"}
            out.append(({**other, "DialStatus": "CANCEL"}, at))
    return out


class TestDerivedStreams(BaseCase):
    """Recorded streams lightly rewritten for what the lab did not record."""

    def test_production_pjsip_agents(self):
        for letter in ("a", "b", "e", "e2", "f", "i", "m", "n"):
            with self.subTest(letter):
                lab = replay(letter)
                # In production the bridge knows its agents' endpoints (here: needed for transfer targets).
                agents = [f"PJSIP/800{n}" for n in range(1, 7)]
                tracker = callstate.CallTracker(agent_context_hint=None, agent_interfaces=agents)
                pjsip = Replay(tracker).feed_pairs((production_naming(m), at) for m, at in pairs(letter))
                self.assertEqual(without_interfaces(pjsip.calls), without_interfaces(lab.calls))
                self.assertEqual(final_agents(pjsip), final_agents(lab))
                self.assertEqual(
                    [(e.agent, e.state) for e in pjsip.of("agent_state_changed")],
                    [(e.agent, e.state) for e in lab.of("agent_state_changed")],
                )

    def test_ring_all_others_answered_elsewhere(self):
        run = Replay(callstate.CallTracker()).feed_pairs(ring_all(pairs("a")))
        call = run.only_call()
        outcomes = [(a["agent"], a["outcome"]) for a in call["attempts"]]
        self.assertEqual(outcomes, [("8001", "answered"), ("8002", "answered_elsewhere")])
        stops = [(e.agent, e.outcome) for e in run.of("agent_ring_stopped")]
        self.assertEqual(stops, [("8002", "answered_elsewhere"), ("8001", "answered")])
        self.assertEqual(len(run.of("agent_ringing")), 2)
        self.assertEqual(final_agents(run)["8002"], ("ready", None))
        self.assertEqual(call["answering_agent"], "8001")


class TestHelpers(BaseCase):
    def test_message_from_headers_keeps_repeated_keys(self):
        message = callstate.message_from_headers(
            [("Event", "UserEvent"), ("CallerIDNum", "1"), ("CallerIDNum", "2")]
        )
        self.assertEqual(message, {"Event": "UserEvent", "CallerIDNum": ["1", "2"]})

    def test_agent_keys(self):
        for text in ("Local/8001@agents/n", "PJSIP/8001", "Custom:agent8001", "Agent 8001", "SIP/8001"):
            self.assertEqual(callstate.agent_key(text), "8001", text)
        self.assertEqual(callstate.agent_key("PJSIP/alice"), "alice")
        self.assertIsNone(callstate.agent_key(None))

    def test_events_are_json_friendly(self):
        for event in replay("e").events:
            data = events.to_dict(event)
            self.assertEqual(events.from_dict(json.loads(json.dumps(data))), event)
            self.assertEqual(dataclasses.asdict(event), {k: v for k, v in data.items() if k != "kind"})

    def test_ignores_what_it_does_not_need(self):
        tracker = callstate.CallTracker()
        self.assertEqual(tracker.feed({"Response": "Success", "ActionID": "x"}, 1.0), [])
        self.assertEqual(tracker.feed({"Event": "VarSet", "Variable": "FOO", "Value": "1"}, 1.0), [])
        self.assertEqual(tracker.feed({"Event": "Newexten"}, 1.0), [])

    def test_pjsip_agents_from_membership(self):
        """Production naming: member PJSIP/8001, channels PJSIP/8001-0000000a are that agent's legs."""
        tracker = callstate.CallTracker(agent_context_hint=None)
        tracker.feed({"Event": "QueueMemberStatus", "Queue": "support", "Interface": "PJSIP/8001",
                      "MemberName": "Agent 8001", "Paused": "0", "Status": "1"}, 1.0)  # fmt: skip
        self.assertEqual(tracker._agent_of_channel("PJSIP/8001-0000000a"), "8001")
        self.assertIsNone(tracker._agent_of_channel("PJSIP/trunk-0000000b"))

    def test_wrap_up_with_tick(self):
        run = replay("a", tracker=callstate.CallTracker(wrapup_time=10))
        call = run.only_call()
        self.assertEqual(final_agents(run)["8001"], ("wrap_up", None))
        produced = run.tracker.tick(call["end"] + 11)
        self.assertEqual([(e.agent, e.state) for e in produced], [("8001", "ready")])
