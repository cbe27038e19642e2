"""Voice menus as managers build them in Odoo become the routing snapshot's menus: the next call walks
them."""

import base64
import tempfile

from odoo.exceptions import ValidationError
from odoo.tests import TransactionCase, tagged

from ..cti import agi_routing as ar
from ..cti import ivr
from ..service import agi
from .test_sound import wav


@tagged("post_install", "-at_install")
class TestIvrMenus(TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.server = cls.env["cc.pbx.server"].create(
            {"name": "IVR PBX", "host": "127.0.0.1", "prompt_dir": tempfile.mkdtemp(prefix="cc-ivr-")}
        )
        cls.queue = cls.env["cc.queue"].create(
            {"name": "Sales", "ami_name": "sales", "server_id": cls.server.id}
        )
        sound = base64.b64encode(wav(8000, 1, 2, 0.2))
        Prompt = cls.env["cc.prompt"]
        cls.welcome, cls.bye = (
            Prompt.create({"name": name, "server_id": cls.server.id, "audio": sound})
            for name in ("Main", "Bye")
        )
        cls.sub = cls.env["cc.ivr.menu"].create(
            {"name": "After sales", "server_id": cls.server.id, "prompt_id": cls.welcome.id}
        )
        cls.main = cls.env["cc.ivr.menu"].create(
            {
                "name": "Main",
                "server_id": cls.server.id,
                "prompt_id": cls.welcome.id,
                "fallback_queue_id": cls.queue.id,
                "option_ids": [
                    (0, 0, {"digit": "1", "action": "queue", "queue_id": cls.queue.id}),
                    (0, 0, {"digit": "2", "action": "menu", "submenu_id": cls.sub.id}),
                    (0, 0, {"digit": "9", "action": "hangup", "prompt_id": cls.bye.id}),
                ],
            }
        )
        cls.env["cc.did"].create(
            {
                "name": "Hotline",
                "number": "4008001234",
                "server_id": cls.server.id,
                "ivr_menu_id": cls.main.id,
            }
        )

    def directory(self):
        return agi.DirectoryLoader(self.registry, self.server.id).build(self.env)

    def test_the_next_call_walks_the_menu_built_in_odoo(self):
        directory = self.directory()
        route = ar.decide(
            {"agi_arg_1": "4008001234", "agi_arg_2": "13700137000"},
            directory,
            ar.datetime.datetime.now(ar.datetime.UTC),
        )
        self.assertEqual((route["CC_IVR_MENU"], route["CC_IVR_MENU_ID"]), ("odoo", str(self.main.id)))
        menu_id = route["CC_IVR_MENU_ID"]
        self.assertEqual(
            ivr.step(directory.menus, menu_id, "enter")["CC_IVR_PROMPT"], self.welcome.sound_name
        )
        self.assertEqual(ivr.step(directory.menus, menu_id, "1")["CC_IVR_TARGET"], "sales")
        self.assertEqual(ivr.step(directory.menus, menu_id, "2")["CC_IVR_MENU_ID"], str(self.sub.id))
        self.assertEqual(ivr.step(directory.menus, menu_id, "9")["CC_IVR_PROMPT"], self.bye.sound_name)
        self.assertEqual(ivr.step(directory.menus, menu_id, "", tries=2)["CC_IVR_TARGET"], "sales")

    def test_a_change_applies_to_the_next_snapshot(self):
        self.main.option_ids.filtered(lambda o: o.digit == "1").unlink()
        self.assertEqual(ivr.step(self.directory().menus, str(self.main.id), "1")["CC_IVR_ACTION"], "retry")

    def test_a_key_must_lead_somewhere(self):
        with self.assertRaisesRegex(ValidationError, "say where it leads"):
            self.env["cc.ivr.option"].create({"menu_id": self.main.id, "digit": "5", "action": "queue"})
