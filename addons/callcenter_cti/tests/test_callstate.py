"""The call-state machine fed with the recorded Asterisk 22.10.1 transcripts (pure, no database).

Every scenario a..p is replayed message by message with its receive stamps; the call records and agent states
it produces are checked, and so is their agreement with the queue_log Asterisk wrote during the same capture
(agent, wait and talk within 1 s). The replay helpers are shared with test_callstate_robustness.
"""

from odoo.tests import BaseCase

from ..cti import callstate, transcript
from .common import fixture_path

SCENARIOS = {
    "a": "a-ivr-queue-answer-caller-hangup",
    "b": "b-ring-noanswer-next-agent",
    "c": "c-abandon-in-queue",
    "d": "d-after-hours-voicemail",
    "e": "e-blind-transfer",
    "e2": "e2-redirect-transfer",
    "f": "f-hold-unhold",
    "g": "g-click-to-dial",
    "h": "h-supervisor-spy-whisper-barge-hangup",
    "i": "i-survey-after-agent-hangup",
    "j": "j-agent-login-pause-logout",
    "k": "k-outbound-notification",
    "l": "l-blacklisted-caller",
    "m": "m-three-party-conference",
    "n": "n-burst-50-calls",
    "o": "o-reconnect-state-recovery",
    "p": "p-asterisk-restart-while-connected",
}
_TRANSCRIPTS = {}


def load(letter):
    """The parsed transcript (cached: n is 4 MB)."""
    if letter not in _TRANSCRIPTS:
        _TRANSCRIPTS[letter] = transcript.load(fixture_path(SCENARIOS[letter] + ".ami"))
    return _TRANSCRIPTS[letter]


def queue_log(letter):
    return transcript.load_queue_log(fixture_path(f"queue_log/{SCENARIOS[letter]}.queue_log"))


def stamp(rx):
    return rx.received_at.timestamp()


def as_message(rx):
    return callstate.message_from_headers(rx.headers)


def received(letter):
    """Every received message of a scenario except the greetings, in capture order."""
    return [rx for rx in load(letter).messages() if rx.headers]


def asterisk_talk(call):
    """The talk time Asterisk logs. After a Redirect its AgentComplete only comes when the whole call ends, so
    it counts the talk after the transfer too; talk_s keeps the answering agent's own part."""
    redirects = [transfer for transfer in call["transfers"] if transfer["kind"] == "redirect"]
    if redirects:
        return call["talk_s"] + call["end"] - redirects[0]["at"]
    return call["talk_s"]


class Replay:
    """What a tracker produced: every event, and the last snapshot of each call by linkedid."""

    def __init__(self, tracker):
        self.tracker = tracker
        self.events = []
        self.calls = {}

    def feed(self, rx_messages):
        return self.feed_pairs((as_message(rx), stamp(rx)) for rx in rx_messages)

    def feed_pairs(self, pairs):
        """Feed ``(message dict, received)`` pairs (streams derived from a transcript)."""
        for message, at in pairs:
            self.add(self.tracker.feed(message, at))
        return self

    def add(self, produced):
        for event in produced:
            self.events.append(event)
            if event.kind == "call_changed":
                self.calls[event.call["linkedid"]] = event.call
        return produced

    def of(self, kind):
        return [event for event in self.events if event.kind == kind]

    def only_call(self):
        assert len(self.calls) == 1, sorted(self.calls)
        return next(iter(self.calls.values()))

    def by_uniqueid(self):
        return {call["uniqueid"]: call for call in self.calls.values()}


def replay(letter, rx_messages=None, tracker=None):
    tracker = tracker or callstate.CallTracker()
    return Replay(tracker).feed(received(letter) if rx_messages is None else rx_messages)


class CallStateCase(BaseCase):
    """Assertions shared by the scenario tests."""

    def assertQueueLogAgrees(self, run, letter, expected_rows):
        """Asterisk's queue_log and the records agree: agent and wait of CONNECT, talk of COMPLETE*, wait of
        ABANDON (within 1 s). The queue_log callid is the record's uniqueid (the trunk channel)."""
        calls = run.by_uniqueid()
        checked = 0
        for _time, callid, _queue, agent, event, data in queue_log(letter):
            call = calls.get(callid)
            if event == "CONNECT":
                self.assertEqual(call["answering_agent"], callstate.agent_key(agent), callid)
                self.assertAlmostEqual(call["wait_s"], int(data[0]), delta=1, msg=callid)
            elif event in ("COMPLETECALLER", "COMPLETEAGENT"):
                self.assertAlmostEqual(asterisk_talk(call), int(data[1]), delta=1, msg=callid)
            elif event == "ABANDON":
                self.assertEqual(call["disposition"], "abandoned", callid)
                self.assertAlmostEqual(call["wait_s"], int(data[2]), delta=1, msg=callid)
                self.assertEqual(call["queue_position_abandon"], int(data[0]))
            else:
                continue
            checked += 1
        self.assertEqual(checked, expected_rows)

    def assertAllIdle(self, run):
        """Every call ended, the tracker forgot them and no agent is left ringing or on a call."""
        tracker = run.tracker
        self.assertFalse(tracker.calls)
        self.assertFalse(tracker.channels)
        self.assertFalse(tracker.names)
        for call in run.calls.values():
            self.assertTrue(call["ended"])
            self.assertEqual(call["state"], "ended")
        for agent, (state, _reason) in tracker.agent_states().items():
            self.assertNotIn(state, ("on_call", "ringing"), agent)
        self.assertEqual(len(run.of("call_ended")), len(run.calls))

    def assertInboundQueueCall(self, call, agent, **fields):
        self.assertEqual(call["direction"], "inbound")
        self.assertEqual(call["did"], "5000")
        self.assertEqual(call["callee_raw"], "5000")
        self.assertEqual(call["queue"], "support")
        self.assertEqual(call["ivr_digits"], "1")
        self.assertEqual(call["answering_agent"], agent)
        self.assertEqual(call["queue_position_entry"], 1)
        self.assertEqual(call["recording_file"], f"/var/spool/asterisk/monitor/{call['uniqueid']}.wav")
        self.assertEqual(call["uniqueid"], call["linkedid"].replace(".0", ".1"))  # the Local ;2 "trunk"
        for key, value in fields.items():
            self.assertEqual(call[key], value, key)

    def assertTimes(self, call):
        """start <= queue entry <= first ring <= answer <= end, and durations consistent with the stamps."""
        times = [call[key] for key in ("start", "queue_entry", "first_ring", "answer", "end") if call[key]]
        self.assertEqual(times, sorted(times))
        if call["queue_entry"]:
            self.assertAlmostEqual(call["ivr_s"], call["queue_entry"] - call["start"], places=6)

    def ring_outcomes(self, run):
        return [(event.agent, event.outcome) for event in run.of("agent_ring_stopped")]

    def agent_states(self, run, agent):
        return [event.state for event in run.of("agent_state_changed") if event.agent == agent]


class TestInboundQueue(CallStateCase):
    def test_a_answered_by_first_agent(self):
        run = replay("a")
        call = run.only_call()
        self.assertInboundQueueCall(
            call,
            "8001",
            caller_raw="15551230001",
            caller_name="Alice Example",
            disposition="answered",
            hangup_by="caller",
            hangup_cause=16,
            first_agent_rung="8001",
            hold_count=0,
            transfers=[],
            conference=False,
            originate_action_id="a-002",
        )
        self.assertEqual(
            [(a["agent"], a["queue"], a["outcome"]) for a in call["attempts"]],
            [("8001", "support", "answered")],
        )
        self.assertEqual((call["wait_s"], call["ring_s"], call["talk_s"]), (1.0, 1.0, 3.0))
        self.assertTimes(call)
        self.assertAlmostEqual(call["ivr_s"], 2.2, delta=0.1)
        ringing = run.of("agent_ringing")[0]
        self.assertEqual(
            (ringing.agent, ringing.interface, ringing.queue, ringing.caller_num, ringing.caller_name),
            ("8001", "Local/8001@agents/n", "support", "15551230001", "Alice Example"),
        )
        self.assertEqual(self.agent_states(run, "8001"), ["ringing", "on_call", "ready"])
        self.assertEqual(
            [(e.queue, e.waiting) for e in run.of("queue_caller_count")], [("support", 1), ("support", 0)]
        )
        self.assertEqual([e.agent for e in run.of("call_answered")], ["8001"])
        self.assertEqual([e.disposition for e in run.of("call_ended")], ["answered"])
        self.assertQueueLogAgrees(run, "a", 2)
        self.assertAllIdle(run)

    def test_b_ring_no_answer_then_next_agent(self):
        run = replay("b")
        call = run.only_call()
        self.assertInboundQueueCall(call, "8002", first_agent_rung="8001", disposition="answered")
        self.assertEqual(
            [(a["agent"], a["outcome"]) for a in call["attempts"]],
            [("8001", "ring_no_answer"), ("8002", "answered")],
        )
        # DialEnd came twice (NOANSWER then CANCEL): one ring stop only.
        self.assertEqual(self.ring_outcomes(run), [("8001", "ring_no_answer"), ("8002", "answered")])
        self.assertAlmostEqual(call["attempts"][0]["end"] - call["attempts"][0]["start"], 5.0, delta=0.1)
        self.assertEqual(call["wait_s"], 7.0)
        self.assertEqual(self.agent_states(run, "8001"), ["ringing", "ready"])
        self.assertEqual(self.agent_states(run, "8002"), ["ringing", "on_call", "ready"])
        self.assertQueueLogAgrees(run, "b", 2)
        self.assertAllIdle(run)

    def test_c_abandon_in_queue(self):
        run = replay("c")
        call = run.only_call()
        self.assertInboundQueueCall(
            call, None, disposition="abandoned", hangup_by="caller", answer=None, talk_s=None
        )
        self.assertEqual(
            (call["queue_position_entry"], call["queue_position_abandon"], call["wait_s"]), (1, 1, 4.0)
        )
        self.assertEqual(self.ring_outcomes(run), [("8001", "caller_abandoned")])
        self.assertEqual(self.agent_states(run, "8001"), ["ringing", "ready"])
        self.assertQueueLogAgrees(run, "c", 1)
        self.assertAllIdle(run)

    def test_f_hold_unhold(self):
        run = replay("f")
        call = run.only_call()
        self.assertInboundQueueCall(call, "8001", disposition="answered", hold_count=1, hangup_by="caller")
        self.assertAlmostEqual(call["hold_s"], 4.0, delta=0.05)
        self.assertEqual(call["talk_s"], 9.0)  # Asterisk's talk time includes the hold
        self.assertEqual(
            [e.kind for e in run.events if e.kind in ("call_held", "call_resumed")],
            ["call_held", "call_resumed"],
        )
        self.assertEqual(run.of("call_held")[0].agent, "8001")
        # The queue's MusicOnHoldStart while waiting is not a hold, and the agent's *7 is not an IVR digit.
        self.assertEqual(call["ivr_digits"], "1")
        self.assertQueueLogAgrees(run, "f", 2)
        self.assertAllIdle(run)

    def test_i_survey_after_agent_hangup(self):
        run = replay("i")
        call = run.only_call()
        self.assertInboundQueueCall(call, "8001", disposition="answered", hangup_by="agent", survey_score=4)
        self.assertEqual(call["talk_s"], 3.0)
        self.assertEqual([(e.agent, e.score) for e in run.of("survey_scored")], [("8001", 4)])
        self.assertGreater(call["end"] - call["answer"], call["talk_s"] + 1)  # the survey ran after the talk
        self.assertEqual(self.agent_states(run, "8001"), ["ringing", "on_call", "ready"])
        self.assertQueueLogAgrees(run, "i", 2)
        self.assertAllIdle(run)

    def test_n_burst_of_fifty_calls(self):
        run = replay("n")
        self.assertEqual(len(run.calls), 50)
        self.assertEqual({call["disposition"] for call in run.calls.values()}, {"answered"})
        self.assertEqual({call["direction"] for call in run.calls.values()}, {"inbound"})
        self.assertEqual({call["did"] for call in run.calls.values()}, {"5001"})
        self.assertEqual(
            {call["answering_agent"] for call in run.calls.values()}, {"8001", "8002", "8003", "8004", "8005"}
        )
        self.assertEqual(max(call["queue_position_entry"] for call in run.calls.values()), 45)
        for call in run.calls.values():
            self.assertTimes(call)
            self.assertEqual(call["hangup_by"], "agent")
        # 3 AgentComplete came without caller fields, after the call's last Hangup: figures amended late.
        self.assertQueueLogAgrees(run, "n", 100)
        self.assertEqual(len(run.of("agent_ringing")), 50)
        self.assertAllIdle(run)


class TestTransfersConferenceSpy(CallStateCase):
    def test_e_blind_transfer(self):
        run = replay("e")
        call = run.only_call()
        self.assertInboundQueueCall(
            call, "8001", disposition="answered", transferred_to="8002", hangup_by="agent"
        )
        [transfer] = call["transfers"]
        self.assertEqual(
            (transfer["kind"], transfer["from_agent"], transfer["to"]), ("blind", "8001", "8002")
        )
        self.assertEqual(
            call["talk_s"], 4.0
        )  # AgentComplete (Reason transfer) TalkTime: the first agent's part
        self.assertEqual(
            [(a["agent"], a["queue"], a["outcome"]) for a in call["attempts"]],
            [("8001", "support", "answered"), ("8002", None, "answered")],
        )
        self.assertEqual([e.agent for e in run.of("call_answered")], ["8001", "8002"])
        event = run.of("call_transferred")[0]
        self.assertEqual((event.transfer_kind, event.from_agent, event.to), ("blind", "8001", "8002"))
        self.assertEqual(call["hold_count"], 0)  # the Unhold that comes with BlindTransfer is no hold
        self.assertEqual(self.agent_states(run, "8002"), ["ringing", "on_call", "ready"])
        self.assertAllIdle(run)
        # queue_log: CONNECT and BLINDTRANSFER (data: exten, context, holdtime, calltime, position).
        [blind] = [row for row in queue_log("e") if row[4] == "BLINDTRANSFER"]
        self.assertEqual(blind[5][0], transfer["to"])
        self.assertAlmostEqual(call["talk_s"], int(blind[5][3]), delta=1)
        self.assertQueueLogAgrees(run, "e", 1)

    def test_e2_redirect_transfer(self):
        run = replay("e2")
        call = run.only_call()
        self.assertInboundQueueCall(
            call, "8001", disposition="answered", transferred_to="8002", hangup_by="agent"
        )
        [transfer] = call["transfers"]
        self.assertEqual(
            (transfer["kind"], transfer["from_agent"], transfer["to"]), ("redirect", "8001", "8002")
        )
        # talk_s is the first agent's talk, answer -> Redirect (3 s); Asterisk's COMPLETECALLER TalkTime (7 s)
        # runs to the end of the whole call because AgentComplete only comes then.
        self.assertAlmostEqual(call["talk_s"], 3.0, delta=0.1)
        self.assertAlmostEqual(asterisk_talk(call), 7.5, delta=0.1)
        self.assertEqual(
            [(a["agent"], a["outcome"]) for a in call["attempts"]],
            [("8001", "answered"), ("8002", "answered")],
        )
        self.assertQueueLogAgrees(run, "e2", 2)
        self.assertAllIdle(run)

    def test_h_supervisor_spy_makes_no_call(self):
        run = replay("h")
        call = run.only_call()  # the three supervisor calls (own Linkedids, ChanSpy) are not customer calls
        self.assertInboundQueueCall(call, "8001", disposition="answered", hangup_by="system", talk_s=13.0)
        self.assertEqual(len(run.of("originate_result")), 4)
        self.assertEqual({e.linkedid for e in run.of("call_ended")}, {call["linkedid"]})
        self.assertQueueLogAgrees(run, "h", 2)
        self.assertAllIdle(run)

    def test_m_three_party_conference(self):
        run = replay("m")
        call = (
            run.only_call()
        )  # the third party originated into the conference keeps its own Linkedid: no call
        self.assertInboundQueueCall(call, "8001", disposition="answered", conference=True, transfers=[])
        self.assertEqual(call["hangup_by"], "caller")
        self.assertEqual(call["talk_s"], 14.0)
        self.assertEqual(self.agent_states(run, "8001"), ["ringing", "on_call", "ready"])
        # The agent stays on the call in the conference after the customer left.
        ready = next(e for e in run.of("agent_state_changed") if e.state == "ready")
        self.assertAlmostEqual(ready.at, call["end"], delta=0.01)
        self.assertQueueLogAgrees(run, "m", 2)
        self.assertAllIdle(run)


class TestIvrOnlyAndRejected(CallStateCase):
    def test_d_after_hours_voicemail(self):
        run = replay("d")
        call = run.only_call()
        self.assertEqual(call["direction"], "inbound")
        self.assertEqual(call["disposition"], "voicemail")
        self.assertEqual((call["caller_raw"], call["caller_name"]), ("15551230004", "Dave Example"))
        self.assertEqual((call["queue"], call["answering_agent"], call["attempts"]), (None, None, []))
        self.assertEqual(call["ivr_digits"], "#")
        self.assertAlmostEqual(call["ivr_s"], call["end"] - call["start"], places=6)
        self.assertEqual(call["hangup_by"], "system")
        self.assertQueueLogAgrees(run, "d", 0)
        self.assertAllIdle(run)

    def test_l_blacklisted_caller_rejected(self):
        run = replay("l")
        call = run.only_call()
        self.assertEqual((call["direction"], call["disposition"]), ("inbound", "rejected_blacklist"))
        self.assertEqual((call["hangup_cause"], call["hangup_cause_text"]), (21, "Call Rejected"))
        self.assertEqual(
            (call["caller_raw"], call["answer"], call["hangup_by"]), ("15550666666", None, "system")
        )
        # The harness's Originate failed with Uniqueid <unknown>: reported by ActionID, linked to no call.
        [result] = run.of("originate_result")
        self.assertEqual((result.action_id, result.success, result.reason), ("l-call", False, 0))
        self.assertEqual(
            (result.uniqueid, result.linkedid, result.channel), (None, None, "Local/5000@inbound")
        )
        self.assertIsNone(call["originate_action_id"])
        self.assertAllIdle(run)


class TestOutbound(CallStateCase):
    def test_g_click_to_dial(self):
        run = replay("g")
        call = run.only_call()
        self.assertEqual(call["linkedid"], "c2d-0001-agent")  # Originate ChannelId: opaque ids
        self.assertEqual(
            (call["direction"], call["disposition"], call["answering_agent"]),
            ("outbound", "answered", "8001"),
        )
        self.assertEqual((call["caller_raw"], call["callee_raw"]), ("15550000000", "15551230007"))
        self.assertEqual(call["originate_action_id"], "g-002")
        self.assertEqual(call["uniqueid"], "1795316452.2")  # the channel dialled towards the customer
        self.assertEqual([(a["agent"], a["outcome"]) for a in call["attempts"]], [("8001", "answered")])
        self.assertAlmostEqual(call["ring_s"], 2.0, delta=0.05)  # the customer's phone rang 2 s
        self.assertAlmostEqual(call["talk_s"], 3.0, delta=0.05)
        self.assertEqual(call["hangup_by"], "caller")
        # The agent's phone rings first: screen-pop with the number to call.
        [ringing] = run.of("agent_ringing")
        self.assertEqual((ringing.agent, ringing.caller_num, ringing.queue), ("8001", "15551230007", None))
        self.assertEqual(self.agent_states(run, "8001"), ["ringing", "on_call", "ready"])
        self.assertEqual([e.agent for e in run.of("call_answered")], ["8001"])
        self.assertAllIdle(run)

    def test_k_outbound_notifications(self):
        run = replay("k")
        self.assertEqual(len(run.calls), 5)
        expected = {
            "notify-15551230010": ("answered", 16),
            "notify-15551230011": ("no_answer", 19),
            "notify-15551230012": ("busy", 17),
            "notify-15551230013": ("congestion", 34),
            "notify-15551230014": ("failed", 0),
        }
        for lid, (disposition, cause) in expected.items():
            call = run.calls[lid]
            self.assertEqual(
                (call["direction"], call["disposition"], call["hangup_cause"]),
                ("outbound", disposition, cause),
                lid,
            )
            self.assertEqual((call["caller_raw"], call["callee_raw"]), ("15550000000", lid[len("notify-") :]))
            self.assertIsNone(call["answering_agent"])
        answered = run.calls["notify-15551230010"]
        self.assertEqual(answered["ivr_digits"], "1")  # NotifyResult Digit
        self.assertAlmostEqual(answered["ring_s"], 2.0, delta=0.05)
        results = {e.action_id: (e.success, e.reason, e.linkedid) for e in run.of("originate_result")}
        self.assertEqual(
            results,
            {
                "k-002": (True, 4, "notify-15551230010"),
                "k-003": (False, 3, "notify-15551230011"),
                "k-004": (False, 5, "notify-15551230012"),
                "k-005": (False, 8, "notify-15551230013"),
                "k-006": (False, 0, "notify-15551230014"),
            },
        )
        # OriginateResponse of k5 came after the last Hangup: the ended record still gets its ActionID.
        self.assertEqual({call["originate_action_id"] for call in run.calls.values()}, set(results))
        self.assertAllIdle(run)


class TestAgentsAndRestart(CallStateCase):
    def test_j_login_pause_penalty_logout(self):
        run = replay("j")
        self.assertFalse(run.calls)
        self.assertEqual(self.agent_states(run, "8006"), ["ready", "paused", "ready", "logged_out"])
        paused = [e for e in run.of("agent_state_changed") if e.state == "paused"]
        self.assertEqual([(e.agent, e.reason) for e in paused], [("8006", "lunch"), ("8004", "break")])
        self.assertEqual(self.agent_states(run, "8004"), ["ready", "paused", "ready"])
        changes = [
            (e.queue, e.paused, e.reason, e.penalty, e.status)
            for e in run.of("queue_member_changed")
            if e.agent == "8006"
        ]
        self.assertEqual(
            changes,
            [
                ("support", False, None, 0, "not_inuse"),
                ("support", True, "lunch", 0, "not_inuse"),
                ("support", False, None, 0, "not_inuse"),
                ("support", False, None, 2, "not_inuse"),
                ("support", False, None, 2, "removed"),
            ],
        )
        # 8004 paused in both of its queues (a pause without Queue: header).
        self.assertEqual(
            {e.queue for e in run.of("queue_member_changed") if e.agent == "8004" and e.paused},
            {"support", "sales"},
        )
        self.assertEqual(run.tracker.agent_states()["8006"], ("logged_out", None))

    def test_p_restart_while_connected(self):
        run = replay("p")
        call = run.only_call()
        self.assertInboundQueueCall(call, "8001", disposition="answered", hangup_by="agent", talk_s=2.0)
        self.assertQueueLogAgrees(run, "p", 2)
        self.assertAllIdle(run)
        self.assertEqual(run.tracker.agent_states()["8001"], ("ready", None))


class TestReconnect(CallStateCase):
    def test_o_streamed_through(self):
        """Without recovery at all, o still ends every call correctly (nothing happened during the gap)."""
        run = replay("o")
        calls = sorted(run.calls.values(), key=lambda call: call["start"])
        self.assertEqual([c["disposition"] for c in calls], ["answered", "answered", "abandoned"])
        self.assertEqual([c["answering_agent"] for c in calls], ["8001", "8002", None])
        self.assertEqual({c["hangup_by"] for c in calls[:2]}, {"system"})  # AMI Hangup of the trunks
        self.assertQueueLogAgrees(run, "o", 5)
        self.assertAllIdle(run)
