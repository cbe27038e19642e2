"""The screen-pop reaches the ringing agent's websocket, and no other agent's (real websockets, real bus)."""

import json

import websocket as ws_client

from odoo.tests import new_test_user, tagged

from odoo.addons.bus.tests.common import WebsocketCase

from .common import replay_into


@tagged("post_install", "-at_install")
class TestScreenPopWebsocket(WebsocketCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.server = cls.env["cc.pbx.server"].create(
            {"name": "Websocket lab", "host": "127.0.0.1", "country_id": cls.env.ref("base.us").id}
        )
        cls.users = {}
        for extension in ("8001", "8002"):
            user = new_test_user(cls.env, login=f"ws{extension}", groups="callcenter_cti.group_cc_agent")
            cls.env["cc.agent"].create(
                {"name": extension, "extension": extension, "user_id": user.id, "server_id": cls.server.id}
            )
            cls.users[extension] = user

    def connect(self, extension):
        login = f"ws{extension}"
        self.session = None  # authenticate() would otherwise end the previous agent's session (and websocket)
        session = self.authenticate(login, login)
        websocket = self.websocket_connect(cookie=f"session_id={session.sid}")
        self.subscribe(websocket, [], self.env["bus.bus"]._bus_last_id())
        return websocket

    def received(self, websocket):
        """Notification types and payloads that reached this websocket (stops after a quiet second)."""
        found = []
        websocket.settimeout(1)
        try:
            while True:
                data = websocket.recv()
                if data:  # control frames come back as empty data
                    found += [(n["message"]["type"], n["message"]["payload"]) for n in json.loads(data)]
        except ws_client.WebSocketTimeoutException:
            return found

    def test_only_the_ringing_agent_gets_the_pop(self):
        ringing, other = self.connect("8001"), self.connect("8002")
        call = replay_into(self.env, self.server, ["a-ivr-queue-answer-caller-hangup.ami"])
        partners = [self.users["8001"].partner_id, self.users["8002"].partner_id]
        self.trigger_notification_dispatching(partners)
        got = self.received(ringing)
        pops = [payload for kind, payload in got if kind == "callcenter/ringing"]
        self.assertEqual([pop["linkedid"] for pop in pops], [call.linkedid])
        self.assertEqual(pops[0]["number_e164"], "+15551230001")
        self.assertIn("callcenter/answered", [kind for kind, _payload in got])
        self.assertFalse([kind for kind, _payload in self.received(other) if kind.startswith("callcenter/")])
