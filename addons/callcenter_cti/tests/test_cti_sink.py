"""The bridge's pipeline (journal → state machine → sink) applied to a real registry, transcript by
transcript."""

from odoo.tests import TransactionCase, new_test_user, tagged

from .common import bus_payloads, replay_into


@tagged("post_install", "-at_install")
class CtiSinkCase(TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.server = cls.env["cc.pbx.server"].create(
            {"name": "Lab", "host": "127.0.0.1", "port": 5038, "country_id": cls.env.ref("base.us").id}
        )
        cls.users = {}
        for extension in ("8001", "8002", "8003", "8004", "8005"):
            user = new_test_user(cls.env, login=f"lab{extension}", groups="callcenter_cti.group_cc_agent")
            cls.users[extension] = user
            cls.env["cc.agent"].create(
                {
                    "name": f"Agent {extension}",
                    "extension": extension,
                    "user_id": user.id,
                    "server_id": cls.server.id,
                }
            )
        cls.alice = cls.env["res.partner"].create({"name": "Alice", "phone": "+1 555 123 0001"})

    def replay(self, *names, batch=500):
        """Feed transcripts through the real pipeline (with a journal) into this server's records."""
        return replay_into(self.env, self.server, names, batch)

    def bus_messages(self, user, kind):
        return bus_payloads(self.env, user, kind)
