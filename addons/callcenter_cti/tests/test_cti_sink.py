"""The bridge's pipeline (journal → state machine → sink) applied to a real registry, transcript by
transcript."""

import json
import tempfile

from odoo.tests import TransactionCase, new_test_user, tagged

from ..cti.pipeline import Pipeline
from .common import feed_pipeline


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
        sink = self.env["cc.cti.sink"]
        self.journal_dir = tempfile.mkdtemp(prefix="cti-test-")
        pipeline = Pipeline(self.journal_dir, lambda events, seq: sink._cti_apply(self.server, events, seq))
        pipeline.start(self.server.journal_applied_seq)
        for name in names:
            feed_pipeline(pipeline, name, drain_every=batch)
        while not pipeline.idle:
            pipeline.drain()
        pipeline.close()
        return self.env["cc.call"].search([("server_id", "=", self.server.id)], order="start, id")

    def bus_messages(self, user, kind):
        """Payloads of ``kind`` sent to ``user`` in this transaction (the bus writes them at commit)."""
        found = []
        for values in self.env.cr.precommit.data.get("bus.bus.values", []):
            channel, message = json.loads(values["channel"]), json.loads(values["message"])
            if channel[1:] == ["res.partner", user.partner_id.id] and message["type"] == kind:
                found.append(message["payload"])
        return found
