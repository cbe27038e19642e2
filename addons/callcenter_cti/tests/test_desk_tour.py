"""The agent desk in a real browser: its Hoot unit tests, and tours against the real CTI pipeline and bus."""

import json
import tempfile
import threading
import time

from odoo import SUPERUSER_ID, api, fields
from odoo.tests import HttpCase, new_test_user, tagged

from odoo.addons.bus.models.bus import channel_with_db, dispatch, hashable

from ..cti.pipeline import Pipeline
from .common import run_hoot_suite, transcript_feed

TRANSCRIPT = "a-ivr-queue-answer-caller-hangup.ami"
ANSWER_EVENT = "AgentConnect"  # the transcript is replayed in two halves: ringing, then answer and hangup
WAIT_SECONDS = 60


def wait_until(condition, what, stopped):
    deadline = time.monotonic() + WAIT_SECONDS
    while not condition():
        if stopped.is_set() or time.monotonic() > deadline:
            raise TimeoutError(f"gave up waiting for {what}")
        time.sleep(0.1)


@tagged("post_install", "-at_install")
class TestDeskUnit(HttpCase):
    def test_desk_hoot_suite(self):
        run_hoot_suite(self, "@callcenter_cti/desk")


class HalfReplay(threading.Thread):
    """Feeds a transcript through the real pipeline and sink while a tour runs, in two halves.

    Each half runs in its own test cursor (the browser's requests wait meanwhile), then wakes the agent's
    websocket: in tests nothing NOTIFYs the bus (post-commit hooks are skipped), so this does it.
    """

    def __init__(self, case, server, channel, second_half_when):
        super().__init__(name="desk-replay", daemon=True)
        self.case, self.server_id, self.channel = case, server.id, channel
        self.second_half_when = second_half_when
        self.error = None
        self.stopped = threading.Event()  # the test ended: touch no cursor any more
        self.env = None
        self.pipeline = Pipeline(tempfile.mkdtemp(prefix="cti-tour-"), self._apply)
        self.pipeline.start(server.journal_applied_seq)
        items = list(transcript_feed(TRANSCRIPT))
        split = next(i for i, (_k, msg, _at) in enumerate(items) if msg and msg.get("Event") == ANSWER_EVENT)
        self.halves = [items[:split], items[split:]]

    def _apply(self, events, seq):
        self.env["cc.cti.sink"]._cti_apply(self.env["cc.pbx.server"].browse(self.server_id), events, seq)

    def _websockets(self):
        return dispatch._channels_to_ws.get(self.channel, set())

    def _feed(self, items):
        with self.case.registry.cursor() as cr:
            self.env = api.Environment(cr, SUPERUSER_ID, {})
            for kind, message, at in items:
                if kind == "message":
                    self.pipeline.receive(message, at)
            while not self.pipeline.idle:
                self.pipeline.drain()
        # committed (bus.bus rows created by the pre-commit hook): wake the agent's websocket
        for websocket in list(self._websockets()):
            websocket.trigger_notification_dispatching()

    def run(self):
        try:
            wait_until(self._websockets, "the agent's websocket to subscribe", self.stopped)
            self._feed(self.halves[0])
            wait_until(self.second_half_when, "the tour to reach the answer", self.stopped)
            self._feed(self.halves[1])
        except Exception as error:  # noqa: BLE001  (re-raised in the test thread)
            self.error = error


@tagged("post_install", "-at_install")
class TestDeskTour(HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.server = cls.env["cc.pbx.server"].create(
            {
                "name": "Desk tour lab",
                "host": "127.0.0.1",
                "country_id": cls.env.ref("base.us").id,
                # a live bridge, as far as the desk can tell (click-to-dial is refused otherwise)
                "link_state": "connected",
                "bridge_seen_at": fields.Datetime.now(),
            }
        )
        cls.user = new_test_user(cls.env, login="deskagent", groups="callcenter_cti.group_cc_agent")
        cls.agent = cls.env["cc.agent"].create(
            {"name": "Desk Agent", "extension": "8001", "user_id": cls.user.id, "server_id": cls.server.id}
        )
        queue = cls.env["cc.queue"].create(
            {"name": "support", "ami_name": "support", "server_id": cls.server.id}
        )
        cls.env["cc.queue.member"].create({"queue_id": queue.id, "agent_id": cls.agent.id})
        Partner = cls.env["res.partner"]
        cls.alice = Partner.search([("phone", "=", "+1 555 123 0001")], limit=1) or Partner.create(
            {"name": "Alice Example", "phone": "+1 555 123 0001"}
        )

    def setUp(self):
        super().setUp()
        # A bridge heartbeat every few seconds, as far as the desk can tell, however slow the tour runs.
        self.patch(self.registry["cc.pbx.server"], "_cc_reachable", lambda server: True)

    def test_screen_pop_then_call_desk(self):
        opened_partner = threading.Event()
        CcCall = self.registry["cc.call"]
        open_partner = CcCall.action_cc_open_partner

        def action_cc_open_partner(call):
            opened_partner.set()
            return open_partner(call)

        self.patch(CcCall, "action_cc_open_partner", action_cc_open_partner)
        channel = hashable(channel_with_db(self.registry.db_name, self.user.partner_id))
        replay = HalfReplay(self, self.server, channel, opened_partner.is_set)
        replay.start()
        self.addCleanup(replay.join, WAIT_SECONDS)
        self.addCleanup(replay.stopped.set)
        self.start_tour("/odoo", "callcenter_desk_screen_pop", login="deskagent", timeout=120)
        replay.join(WAIT_SECONDS)
        self.assertIsNone(replay.error)
        login = self.env["cc.cti.command"].search(
            [("server_id", "=", self.server.id), ("kind", "=", "agent_login")]
        )
        self.assertEqual([action["Queue"] for action in json.loads(login.actions)], ["support"])
        call = self.env["cc.call"].search([("server_id", "=", self.server.id)])
        self.assertEqual(call.partner_id, self.alice)
        self.assertEqual(call.agent_id, self.agent)

    def test_click_to_dial_from_a_phone_field(self):
        self.start_tour(
            f"/odoo/res.partner/{self.alice.id}", "callcenter_desk_click_to_dial", login="deskagent"
        )
        command = self.env["cc.cti.command"].search(
            [("server_id", "=", self.server.id), ("kind", "=", "dial")], order="id desc", limit=1
        )
        self.assertTrue(command, "click-to-dial queued no command")
        [originate] = json.loads(command.actions)
        self.assertEqual(originate["Action"], "Originate")
        self.assertEqual(originate["Exten"], "+15551230001")
        self.assertEqual(originate["Channel"], "PJSIP/8001")
        self.assertEqual((command.res_model, command.res_id), ("res.partner", self.alice.id))
