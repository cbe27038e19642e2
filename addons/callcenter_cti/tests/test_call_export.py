import csv
import io

from odoo.tests import HttpCase, new_test_user, tagged

from ..models.cc_call import CSV_COLUMNS


@tagged("post_install", "-at_install")
class TestCallExport(HttpCase):
    """The call list's CSV export: the replay command's columns, and record rules decide what a user gets."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        server = cls.env["cc.pbx.server"].create({"name": "Export", "host": "127.0.0.1"})
        cls.agent_user = new_test_user(
            cls.env, login="cc_export_agent", groups="callcenter_cti.group_cc_agent"
        )
        other = new_test_user(cls.env, login="cc_export_other", groups="callcenter_cti.group_cc_agent")
        new_test_user(cls.env, login="cc_export_sup", groups="callcenter_cti.group_cc_supervisor")
        agent = cls.env["cc.agent"].create(
            {"name": "A", "extension": "8101", "user_id": cls.agent_user.id, "server_id": server.id}
        )
        cls.env["cc.agent"].create(
            {"name": "B", "extension": "8102", "user_id": other.id, "server_id": server.id}
        )
        cls.calls = cls.env["cc.call"].create(
            [
                {
                    "server_id": server.id,
                    "linkedid": "exp.1",
                    "agent_id": agent.id,
                    "disposition": "answered",
                },
                {"server_id": server.id, "linkedid": "exp.2", "disposition": "abandoned"},
            ]
        )

    def export(self, login):
        self.authenticate(login, login)
        ids = ",".join(map(str, self.calls.ids))
        response = self.url_open(f"/callcenter/calls/export.csv?ids={ids}")
        self.assertEqual(response.status_code, 200)
        rows = list(csv.reader(io.StringIO(response.text)))
        self.assertEqual(tuple(rows[0]), CSV_COLUMNS)
        return [row[0] for row in rows[1:]]

    def test_agent_gets_only_their_calls(self):
        self.assertEqual(self.export("cc_export_agent"), ["exp.1"])
        self.assertEqual(self.export("cc_export_other"), [])

    def test_supervisor_gets_every_call(self):
        self.assertEqual(sorted(self.export("cc_export_sup")), ["exp.1", "exp.2"])

    def test_public_visitor_is_sent_to_login(self):
        response = self.url_open(
            f"/callcenter/calls/export.csv?ids={self.calls.ids[0]}", allow_redirects=False
        )
        self.assertIn(response.status_code, (302, 303))

    def test_garbage_ids_are_ignored(self):
        self.authenticate("cc_export_sup", "cc_export_sup")
        response = self.url_open("/callcenter/calls/export.csv?ids=abc,,-1,999999999")
        self.assertEqual(response.status_code, 200)
        self.assertEqual(len(list(csv.reader(io.StringIO(response.text)))), 1)
