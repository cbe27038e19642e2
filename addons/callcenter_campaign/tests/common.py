import base64
import io

import xlsxwriter

from odoo.tests import TransactionCase, new_test_user


def xlsx(rows):
    """An .xlsx file (base64, as a Binary field holds it) with ``rows``, the first being the header."""
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    sheet = book.add_worksheet()
    for index, row in enumerate(rows):
        sheet.write_row(index, 0, row)
    book.close()
    return base64.b64encode(buffer.getvalue())


class CampaignCase(TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # The test's data is not committed: claims run in its transaction (test_preview's
        # TestConcurrentClaims runs them apart, on committed data, with real concurrent connections).
        cls.env = cls.env(context=dict(cls.env.context, cc_claim_in_transaction=True))
        cls.server = cls.env["cc.pbx.server"].create(
            {"name": "Lab", "host": "127.0.0.1", "port": 5038, "country_id": cls.env.ref("base.us").id}
        )
        cls.users, cls.agents = {}, {}
        for extension in ("8001", "8002"):
            user = new_test_user(cls.env, login=f"camp{extension}", groups="callcenter_cti.group_cc_agent")
            cls.users[extension] = user
            cls.agents[extension] = cls.env["cc.agent"].create(
                {
                    "name": f"Agent {extension}",
                    "extension": extension,
                    "user_id": user.id,
                    "server_id": cls.server.id,
                }
            )
        cls.supervisor = new_test_user(cls.env, login="camp_sup", groups="callcenter_cti.group_cc_supervisor")
        cls.campaign = cls.env["cc.campaign"].create(
            {
                "name": "Spring",
                "code": "spring",
                "server_id": cls.server.id,
                "agent_ids": [(6, 0, [a.id for a in cls.agents.values()])],
                "batch_size": 2,
                "script": "<p>Hello {{name}}, this is {{agent}} about {{campaign}}</p>",
            }
        )

    def outcome(self, code):
        return self.env["cc.campaign.outcome"].search([("code", "=", code)], limit=1)

    def add_targets(self, count, campaign=None, start=10):
        campaign = campaign or self.campaign
        return self.env["cc.campaign.target"].create(
            [
                {"campaign_id": campaign.id, "name": f"Customer {i}", "number": f"+1 555 987 {i:04d}"}
                for i in range(start, start + count)
            ]
        )

    def connect(self):
        """The PBX answers (a live bridge linked to it): dial commands are accepted."""
        self.server._cc_bridge_alive()
        self.server.link_state = "connected"
