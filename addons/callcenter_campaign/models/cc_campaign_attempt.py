import base64
import io

import xlsxwriter

from odoo import api, fields, models


class CcCampaignAttempt(models.Model):
    """One dial of a target (by an agent or by the IVR dialer) and its results: the facts of the reports."""

    _name = "cc.campaign.attempt"
    _description = "Campaign Attempt"
    _order = "id desc"

    target_id = fields.Many2one("cc.campaign.target", required=True, ondelete="cascade", index=True)
    campaign_id = fields.Many2one(related="target_id.campaign_id", store=True, index=True)
    company_id = fields.Many2one(related="target_id.company_id", store=True)
    partner_id = fields.Many2one(related="target_id.partner_id", store=True, string="Customer")
    agent_id = fields.Many2one("cc.agent", index="btree_not_null")
    mode = fields.Selection([("agent", "Agent"), ("ivr", "IVR")], required=True, default="agent")
    linkedid = fields.Char(string="Call ID", index="btree_not_null")
    command_id = fields.Many2one("cc.cti.command", string="PBX Command", ondelete="set null")
    call_id = fields.Many2one("cc.call", ondelete="set null", index="btree_not_null")
    call_result_id = fields.Many2one("cc.campaign.outcome", index=True)
    marketing_result_id = fields.Many2one("cc.campaign.outcome", index=True)
    digit = fields.Char(string="Key Pressed")
    note = fields.Text()
    date_done = fields.Datetime(string="Recorded At")
    is_contact = fields.Boolean(string="Contact", compute="_compute_rates", store=True)
    is_success = fields.Boolean(string="Conversion", compute="_compute_rates", store=True)
    contact_rate = fields.Float(
        string="Contact Rate (%)", compute="_compute_rates", store=True, aggregator="avg"
    )
    conversion_rate = fields.Float(
        string="Conversion Rate (%)", compute="_compute_rates", store=True, aggregator="avg"
    )
    talk_s = fields.Float(string="Talk (s)", compute="_compute_talk_s", store=True, aggregator="sum")

    @api.depends("call_result_id", "marketing_result_id")
    def _compute_rates(self):
        for attempt in self:
            outcomes = attempt.call_result_id | attempt.marketing_result_id
            attempt.is_contact = any(outcomes.mapped("is_contact"))
            attempt.is_success = any(outcomes.mapped("is_success"))
            # Averaged over attempts by the pivot: the share of attempts that reached / converted.
            attempt.contact_rate = 100.0 if attempt.is_contact else 0.0
            attempt.conversion_rate = 100.0 if attempt.is_success else 0.0

    @api.depends("call_id.talk_s")
    def _compute_talk_s(self):
        for attempt in self:
            attempt.talk_s = attempt.call_id.talk_s or 0.0

    def _cc_close(self, call_result, marketing_result=None, note=None, digit=None):
        self.ensure_one()
        call = self.call_id or self._cc_find_call()
        self.write(
            {
                "call_result_id": call_result.id,
                "marketing_result_id": marketing_result.id if marketing_result else False,
                "note": note or False,
                "digit": digit or False,
                "call_id": call.id,
                "date_done": fields.Datetime.now(),
            }
        )

    @api.model
    def _cc_link_calls(self, calls):
        """Agents' campaign calls (click-to-dial from a target) join their attempt as the bridge sees them."""
        by_linkedid = {call.linkedid: call for call in calls}
        for attempt in self.search([("linkedid", "in", list(by_linkedid)), ("call_id", "=", False)]):
            attempt.call_id = by_linkedid[attempt.linkedid]

    def _cc_find_call(self):
        """The call the attempt started (click-to-dial links it back by its Call ID)."""
        if not self.linkedid:
            return self.env["cc.call"]
        # sudo: agents may not read every call; the attempt only stores which one was theirs
        return self.env["cc.call"].sudo().search([("linkedid", "=", self.linkedid)], limit=1)

    # -- the Excel report ----------------------------------------------------------------------------------
    @api.model
    def _cc_report_rows(self, campaigns, group_field):
        """Per ``group_field`` value: attempts, contacts, conversions, talk time and outcome counts."""
        rows = {}
        for attempt in self.search([("campaign_id", "in", campaigns.ids), ("call_result_id", "!=", False)]):
            key = attempt[group_field].display_name or self.env._("(none)")
            row = rows.setdefault(
                key, {"attempts": 0, "contacts": 0, "deals": 0, "talk": 0.0, "outcomes": {}}
            )
            row["attempts"] += 1
            row["contacts"] += attempt.is_contact
            row["deals"] += attempt.is_success
            row["talk"] += attempt.talk_s
            for outcome in attempt.call_result_id | attempt.marketing_result_id:
                row["outcomes"][outcome.name] = row["outcomes"].get(outcome.name, 0) + 1
        return rows

    @api.model
    def _cc_report_xlsx(self, campaigns):
        """The report as .xlsx bytes: one sheet per campaign, one per agent."""
        buffer = io.BytesIO()
        book = xlsxwriter.Workbook(buffer, {"in_memory": True})
        bold, percent = book.add_format({"bold": True}), book.add_format({"num_format": "0.0%"})
        for title, field in (
            (self.env._("By campaign"), "campaign_id"),
            (self.env._("By agent"), "agent_id"),
        ):
            self._cc_report_sheet(
                book.add_worksheet(title), self._cc_report_rows(campaigns, field), bold, percent
            )
        book.close()
        return buffer.getvalue()

    def _cc_report_sheet(self, sheet, rows, bold, percent):
        outcomes = sorted({name for row in rows.values() for name in row["outcomes"]})
        labels = (
            self.env._("Name"),
            self.env._("Attempts"),
            self.env._("Contacts"),
            self.env._("Contact Rate"),
            self.env._("Conversions"),
            self.env._("Conversion Rate"),
            self.env._("Talk (min)"),
        )
        header = [*labels, *outcomes]
        sheet.write_row(0, 0, header, bold)
        for index, (name, row) in enumerate(sorted(rows.items()), start=1):
            attempts = row["attempts"] or 1
            sheet.write_row(index, 0, [name, row["attempts"], row["contacts"]])
            sheet.write_number(index, 3, row["contacts"] / attempts, percent)
            sheet.write_number(index, 4, row["deals"])
            sheet.write_number(index, 5, row["deals"] / attempts, percent)
            sheet.write_number(index, 6, round(row["talk"] / 60.0, 1))
            sheet.write_row(index, 7, [row["outcomes"].get(name, 0) for name in outcomes])
        sheet.set_column(0, 0, 24)

    @api.model
    def _cc_report_attachment(self, campaigns):
        name = "campaign-report.xlsx" if len(campaigns) != 1 else f"campaign-{campaigns.code}.xlsx"
        return self.env["ir.attachment"].create(
            {
                "name": name,
                "datas": base64.b64encode(self._cc_report_xlsx(campaigns)),
                "mimetype": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                "res_model": "cc.campaign",
                "res_id": campaigns[:1].id,
            }
        )
