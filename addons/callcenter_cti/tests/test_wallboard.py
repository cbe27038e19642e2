"""The supervisor's wallboard: its figures come from calls replayed from the real transcripts and agree with
Asterisk's own queue_log; waits and pauses raise alerts; only supervisors read it."""

import datetime

from freezegun import freeze_time

from odoo.exceptions import AccessError
from odoo.tests import HttpCase, new_test_user, tagged

from ..models.cc_wallboard import PAUSE_ALERT_PARAM, PAUSE_ALERT_S, WAIT_ALERT_S
from .common import fixture_path, replay_until, run_hoot_suite
from .test_cti_sink import CtiSinkCase

A_ANSWERED = "a-ivr-queue-answer-caller-hangup.ami"
B_NEXT_AGENT = "b-ring-noanswer-next-agent.ami"
C_ABANDONED = "c-abandon-in-queue.ami"
J_PAUSES = "j-agent-login-pause-logout.ami"
N_BURST = "n-burst-50-calls.ami"
# The transcripts were recorded on 2026-11-22 around 03:00 UTC (11:00 in Shanghai).
MORNING = "2026-11-22 04:00:00"


def queue_log(name):
    """Asterisk's queue_log lines of a transcript's scenario, as lists of fields."""
    path = fixture_path(f"queue_log/{name.removesuffix('.ami')}.queue_log")
    with open(path, encoding="utf-8") as lines:
        return [line.rstrip("\n").split("|") for line in lines if line.strip()]


@tagged("post_install", "-at_install")
class TestWallboard(CtiSinkCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.supervisor = new_test_user(cls.env, login="wb_sup", groups="callcenter_cti.group_cc_supervisor")

    def wallboard(self, now=MORNING, user=None):
        with freeze_time(now):
            wallboard = self.env["cc.wallboard"].with_user(user or self.supervisor)
            return wallboard.with_context(tz="Asia/Shanghai").cc_wallboard_data()

    def replay_until(self, name, event, occurrence=1):
        replay_until(self.env, self.server, name, event, occurrence)

    def queue(self, data, name="support"):
        queue_id = (
            self.env["cc.queue"].search([("server_id", "=", self.server.id), ("ami_name", "=", name)]).id
        )
        return next(queue for queue in data["queues"] if queue["id"] == queue_id)

    def alerts(self, data):
        """The alerts about the lab's queues and agents (the database may hold others)."""
        queues = self.env["cc.queue"].search([("server_id", "=", self.server.id)])
        agents = self.env["cc.agent"].search([("server_id", "=", self.server.id)])
        return [
            alert
            for alert in data["alerts"]
            if alert.get("queue_id") in queues.ids or alert.get("agent_id") in agents.ids
        ]

    def lab_agent(self, extension):
        return self.env["cc.agent"].search(
            [("server_id", "=", self.server.id), ("extension", "=", extension)]
        )

    def agent(self, data, extension):
        """The wallboard's row of the lab's agent (the demo PBX has agents of the same extensions)."""
        agent_id = self.lab_agent(extension).id
        return next(agent for agent in data["agents"] if agent["id"] == agent_id)

    # -- queues ----------------------------------------------------------------------------------------------
    def test_answered_abandoned_and_service_level_of_today(self):
        self.replay(A_ANSWERED, B_NEXT_AGENT, C_ABANDONED)
        support = self.queue(self.wallboard())
        # queue_log: a CONNECT after 1 s, b CONNECT after 7 s, c ABANDON after 4 s
        self.assertEqual((support["answered"], support["abandoned"]), (2, 1))
        self.assertEqual(support["service_level_s"], 20)
        self.assertEqual(support["service_level"], 66.7)
        self.assertEqual((support["waiting"], support["waits"], support["longest_wait_s"]), (0, [], 0))

    def test_service_level_of_the_burst_agrees_with_queue_log(self):
        self.replay(N_BURST)
        support = self.queue(self.wallboard())
        rows = queue_log(N_BURST)
        waits = [int(row[5]) for row in rows if row[4] == "CONNECT"]
        abandoned = sum(row[4] == "ABANDON" for row in rows)
        within = sum(wait <= 20 for wait in waits)
        self.assertEqual((support["answered"], support["abandoned"]), (len(waits), abandoned))
        self.assertEqual(support["service_level"], round(100.0 * within / (len(waits) + abandoned), 1))
        self.assertEqual(support["service_level"], 60.0)  # 30 of 50 answered within 20 s (5 at exactly 20 s)

    def test_service_level_follows_the_queue_threshold(self):
        self.replay(N_BURST)
        self.env["cc.queue"].search([("server_id", "=", self.server.id), ("ami_name", "=", "support")]).write(
            {"service_level_s": 10}
        )
        self.assertEqual(self.queue(self.wallboard())["service_level"], 30.0)  # waits of 1, 5 and 9 s

    def test_calls_of_another_day_do_not_count(self):
        self.replay(A_ANSWERED, C_ABANDONED)
        # 17:00 UTC is already tomorrow (01:00) in Shanghai
        data = self.wallboard(now="2026-11-22 17:00:00")
        support = self.queue(data)
        self.assertEqual((support["answered"], support["abandoned"], support["service_level"]), (0, 0, False))
        self.assertEqual(self.agent(data, "8001")["calls_today"], 0)

    def test_a_caller_waiting_in_queue_and_the_long_wait_alert(self):
        self.replay_until(A_ANSWERED, "QueueCallerJoin")
        call = self.env["cc.call"].search([("server_id", "=", self.server.id)])
        self.assertEqual(call.state, "queued")
        data = self.wallboard(now=call.queue_entry)
        support = self.queue(data)
        self.assertEqual(support["waiting"], 1)
        self.assertEqual(
            support["waits"][0] | {"wait_s": 0},
            {"call_id": call.id, "number": "+15551230001", "customer": call.partner_id.name,
             "since": support["waits"][0]["since"], "wait_s": 0},
        )  # fmt: skip
        self.assertFalse(self.alerts(data))
        data = self.wallboard(now="2026-11-22 03:00:30")
        self.assertAlmostEqual(self.queue(data)["longest_wait_s"], 89.05, delta=1)
        self.assertEqual(data["thresholds"]["wait_alert_s"], WAIT_ALERT_S)
        [alert] = self.alerts(data)
        self.assertEqual(
            (alert["kind"], alert["queue_id"], alert["name"]), ("long_wait", support["id"], "support")
        )

    # -- agents --------------------------------------------------------------------------------------------
    def test_calls_today_and_average_handling_time_agree_with_queue_log(self):
        self.replay(N_BURST)
        data = self.wallboard()
        talk = {}
        for row in queue_log(N_BURST):
            if row[4] == "COMPLETEAGENT":
                talk.setdefault(row[3].removeprefix("Agent "), []).append(int(row[6]))
        for extension, talks in talk.items():
            agent = self.agent(data, extension)
            self.assertEqual(agent["calls_today"], len(talks))
            # queue_log talk times are whole seconds; the bridge keeps the fraction
            self.assertAlmostEqual(agent["aht_s"], sum(talks) / len(talks), delta=1)

    def test_an_agent_on_a_call_shows_the_call_and_the_customer(self):
        self.replay_until(A_ANSWERED, "AgentCalled")
        agent = self.agent(self.wallboard(), "8001")
        self.assertEqual(agent["state"], "ringing")
        call = self.env["cc.call"].search([("server_id", "=", self.server.id)])
        self.assertEqual(agent["call"]["id"], call.id)
        self.assertIn("Alice", agent["call"]["customer"])
        self.replay_until(A_ANSWERED, "AgentConnect")
        data = self.wallboard()
        agent = self.agent(data, "8001")
        self.assertEqual(agent["state"], "on_call")
        self.assertEqual(data["state_labels"]["on_call"], "On call")
        self.assertEqual(
            {key: agent["call"][key] for key in ("number", "customer", "queue", "direction")},
            {
                "number": "+15551230001",
                "customer": call.partner_id.name,
                "queue": "support",
                "direction": "inbound",
            },
        )
        self.assertEqual(agent["calls_today"], 1)
        self.assertEqual(self.agent(data, "8002")["call"], False)

    def test_a_long_pause_raises_an_alert(self):
        self.replay_until(J_PAUSES, "QueueMemberPause")  # 8006 pauses for lunch
        agent = self.lab_agent("8006")
        self.assertEqual((agent.state, agent.state_reason), ("paused", "lunch"))
        since = agent.state_since
        data = self.wallboard(now=since + datetime.timedelta(minutes=5))
        self.assertEqual(self.agent(data, "8006")["reason"], "Lunch")
        self.assertFalse(self.alerts(data))
        data = self.wallboard(now=since + datetime.timedelta(seconds=PAUSE_ALERT_S + 60))
        [alert] = self.alerts(data)
        self.assertEqual(
            {key: alert[key] for key in ("kind", "agent_id", "reason")},
            {"kind": "long_pause", "agent_id": agent.id, "reason": "Lunch"},
        )
        self.env["ir.config_parameter"].set_param(PAUSE_ALERT_PARAM, "120")
        data = self.wallboard(now=since + datetime.timedelta(minutes=5))
        self.assertEqual([alert["kind"] for alert in self.alerts(data)], ["long_pause"])

    # -- access and cost -----------------------------------------------------------------------------------
    def test_only_supervisors_read_the_wallboard(self):
        with self.assertRaises(AccessError):
            self.wallboard(user=self.users["8001"])

    def test_the_number_of_queries_does_not_grow_with_calls_and_agents(self):
        self.replay(A_ANSWERED)
        self.wallboard()  # warms the registry's caches (groups, parameters)
        queries = []
        for names in ((C_ABANDONED,), (N_BURST,)):
            self.replay(*names)
            self.env.invalidate_all()
            start = self.cr.sql_log_count
            self.wallboard()
            queries.append(self.cr.sql_log_count - start)
        self.assertEqual(queries[0], queries[1], "one query per figure, not one per call or agent")
        self.assertLessEqual(queries[1], 20)


@tagged("post_install", "-at_install")
class TestWallboardJs(HttpCase):
    """The wallboard's client action (Hoot tests, real headless Chromium)."""

    def test_wallboard_hoot_suite(self):
        run_hoot_suite(self, "@callcenter_cti/wallboard")
