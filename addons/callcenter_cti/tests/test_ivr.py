"""Voice menus walked by the dialplan one FastAGI step at a time: the steps, and whole menus through a real
TCP AGI client, with submenus, wrong keys, timeouts and the fallback."""

import asyncio

from odoo.tests import BaseCase

from ..cti import agi_routing as ar
from ..cti import ivr
from ..cti.agi_client import agi_request

MENUS = {
    "1": ivr.Menu(
        prompt="custom/cc/prompt-1",
        timeout=6,
        retries=3,
        invalid_prompt="custom/cc/prompt-9",
        options={
            "1": ivr.Option("queue", "support"),
            "2": ivr.Option("menu", "2"),
            "9": ivr.Option("hangup", prompt="custom/cc/prompt-goodbye"),
        },
        fallback=ivr.Option("queue", "support"),
    ),
    "2": ivr.Menu(prompt="custom/cc/prompt-2", options={"1": ivr.Option("voicemail", "100@default")}),
}


class TestIvrSteps(BaseCase):
    def test_entering_a_menu_plays_its_prompt(self):
        answer = ivr.step(MENUS, "1", "enter")
        self.assertEqual(
            answer,
            {"CC_IVR_ACTION": "play", "CC_IVR_TARGET": "", "CC_IVR_PROMPT": "custom/cc/prompt-1",
             "CC_IVR_TIMEOUT": "6", "CC_IVR_MENU_ID": "1"},
        )  # fmt: skip

    def test_keys_lead_to_actions_and_submenus(self):
        self.assertEqual(ivr.step(MENUS, "1", "1")["CC_IVR_TARGET"], "support")
        submenu = ivr.step(MENUS, "1", "2")
        self.assertEqual((submenu["CC_IVR_ACTION"], submenu["CC_IVR_MENU_ID"]), ("play", "2"))
        self.assertEqual(ivr.step(MENUS, "2", "1")["CC_IVR_ACTION"], "voicemail")
        goodbye = ivr.step(MENUS, "1", "9")
        self.assertEqual(
            (goodbye["CC_IVR_ACTION"], goodbye["CC_IVR_PROMPT"]), ("hangup", "custom/cc/prompt-goodbye")
        )

    def test_wrong_keys_and_silence_are_retried_then_fall_back(self):
        for entry in ("7", ""):
            retry = ivr.step(MENUS, "1", entry, tries=0)
            self.assertEqual(
                (retry["CC_IVR_ACTION"], retry["CC_IVR_PROMPT"]), ("retry", "custom/cc/prompt-9")
            )
        fallback = ivr.step(MENUS, "1", "", tries=2)
        self.assertEqual((fallback["CC_IVR_ACTION"], fallback["CC_IVR_TARGET"]), ("queue", "support"))

    def test_a_menu_deleted_meanwhile_sends_the_caller_to_the_queue(self):
        self.assertEqual(ivr.step(MENUS, "42", "enter")["CC_IVR_ACTION"], "queue")
        self.assertEqual(ivr.step({}, "", "")["CC_IVR_ACTION"], "queue")

    def test_a_did_with_an_odoo_menu_routes_into_it_open_and_closed(self):
        directory = ar.Directory(
            dids={"5000": ar.DidConfig(number="5000", ivr_menu_id="1", ivr_closed_menu_id="2",
                                       is_open=lambda now: now.hour < 18)},
        )  # fmt: skip
        morning, night = NOW.replace(hour=9), NOW.replace(hour=22)
        opened = ar.decide({"agi_arg_1": "5000", "agi_arg_2": "13700137000"}, directory, morning)
        self.assertEqual((opened["CC_IVR_MENU"], opened["CC_IVR_MENU_ID"]), ("odoo", "1"))
        closed = ar.decide({"agi_arg_1": "5000", "agi_arg_2": "13700137000"}, directory, night)
        self.assertEqual((closed["CC_OPEN"], closed["CC_IVR_MENU_ID"]), ("1", "2"))  # the menu, not voicemail


class TestIvrOverAgi(BaseCase):
    """The dialplan's walk, as Asterisk makes it: one AGI connection per step, every variable set."""

    def walk(self, steps):
        directory = ar.Directory(menus=MENUS)

        async def run():
            app = ar.RoutingApplication(lambda: directory)
            server = await ar.start_server(app, "127.0.0.1", 0)
            port = server.sockets[0].getsockname()[1]
            try:
                return [await agi_request(port, "", "", script="ivr", args=step) for step in steps]
            finally:
                server.close()
                await server.wait_closed()
                app.close()

        return asyncio.run(run())

    def test_a_caller_walks_into_the_submenu_then_voicemail(self):
        answers = self.walk([("1", "enter", "0"), ("1", "2", "0"), ("2", "1", "0")])
        self.assertEqual([a["CC_IVR_ACTION"] for a in answers], ["play", "play", "voicemail"])
        self.assertEqual(answers[1]["CC_IVR_PROMPT"], "custom/cc/prompt-2")
        self.assertEqual(answers[2]["CC_IVR_TARGET"], "100@default")
        self.assertEqual(
            set(answers[2]), set(ivr.VARIABLES), "every variable set: no stale value on the channel"
        )
        self.assertEqual(answers[2]["CC_IVR_PROMPT"], "")

    def test_timeouts_then_the_fallback(self):
        answers = self.walk([("1", "", "0"), ("1", "", "1"), ("1", "", "2")])
        self.assertEqual([a["CC_IVR_ACTION"] for a in answers], ["retry", "retry", "queue"])


NOW = ar.datetime.datetime(2026, 11, 23, 9, 0, tzinfo=ar.datetime.UTC)
