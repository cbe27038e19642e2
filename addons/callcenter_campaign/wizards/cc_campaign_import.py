import base64
import io

import openpyxl
import xlsxwriter

from odoo import api, fields, models
from odoo.exceptions import UserError

# Header cells (lower case) that name each column, English and Chinese.
_HEADERS = {
    "name": {"name", "customer", "姓名", "客户", "名称"},
    "number": {"number", "phone", "mobile", "telephone", "电话", "手机", "号码", "电话号码", "手机号"},
    "agent": {"agent", "extension", "坐席", "分机"},
}


class CcCampaignImport(models.TransientModel):
    """Targets from an Excel file: every row is checked, good rows are kept, bad ones are reported."""

    _name = "cc.campaign.import"
    _description = "Import Campaign Targets"

    campaign_id = fields.Many2one("cc.campaign", required=True)
    file = fields.Binary(string="Excel File (.xlsx)", required=True)
    filename = fields.Char()
    state = fields.Selection([("upload", "Upload"), ("done", "Done")], default="upload")
    line_ids = fields.One2many("cc.campaign.import.line", "wizard_id", string="Rejected Rows")
    imported_count = fields.Integer(string="Imported", readonly=True)
    rejected_count = fields.Integer(string="Rejected", readonly=True)
    report_file = fields.Binary(string="Error Report", readonly=True)
    report_filename = fields.Char(default="rejected-rows.xlsx")

    def action_import(self):
        self.ensure_one()
        rows = self._cc_read_rows(base64.b64decode(self.file))
        good, errors = self._cc_validate(rows)
        targets = self.env["cc.campaign.target"].create(good)
        self.write(
            {
                "state": "done",
                "imported_count": len(targets),
                "rejected_count": len(errors),
                "line_ids": [fields.Command.clear()] + [fields.Command.create(e) for e in errors],
                "report_file": base64.b64encode(self._cc_error_report(errors)) if errors else False,
            }
        )
        return {
            "type": "ir.actions.act_window",
            "res_model": self._name,
            "res_id": self.id,
            "view_mode": "form",
            "target": "new",
        }

    # -- reading -------------------------------------------------------------------------------------------
    @api.model
    def _cc_read_rows(self, content):
        """[(row number, {"name", "number", "agent"})] of the first sheet; the first row is the header."""
        try:
            book = openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=True)
        except Exception as error:  # openpyxl raises many kinds for a file that is not .xlsx
            raise UserError(self.env._("This is not an Excel (.xlsx) file: %s", error)) from error
        lines = book.worksheets[0].iter_rows(values_only=True)
        columns = self._cc_columns(next(lines, ()))
        rows = []
        for number, cells in enumerate(lines, start=2):
            values = {key: self._cc_cell(cells, index) for key, index in columns.items()}
            if any(values.values()):
                rows.append((number, values))
        return rows

    @api.model
    def _cc_columns(self, header):
        columns = {}
        for index, cell in enumerate(header):
            label = str(cell or "").strip().lower()
            for key, labels in _HEADERS.items():
                if label in labels and key not in columns:
                    columns[key] = index
        if "number" not in columns:
            raise UserError(self.env._("The first row must name a phone number column (Phone / 电话)."))
        return columns

    @staticmethod
    def _cc_cell(cells, index):
        value = cells[index] if index < len(cells) else None
        if isinstance(value, float) and value.is_integer():
            value = int(value)  # a number typed in a numeric cell
        return str(value).strip() if value not in (None, "") else ""

    # -- checking ------------------------------------------------------------------------------------------
    def _cc_validate(self, rows):
        """(values of the targets to create, error lines): bad numbers, do-not-call, duplicates."""
        campaign, good, errors, seen = self.campaign_id, [], [], {}
        listed = self._cc_numbers_listed(campaign)
        agents = {agent.extension: agent for agent in campaign._cc_agents()}
        for row, values in rows:
            e164 = campaign._cc_e164(values["number"])
            error = self._cc_row_error(values, e164, seen, listed, agents)
            if error:
                errors.append(
                    {"row": row, "name": values.get("name"), "number": values["number"], "error": error}
                )
                continue
            seen[e164] = row
            agent = agents.get(values.get("agent"))
            good.append(
                {
                    "campaign_id": campaign.id,
                    "name": values.get("name") or e164,
                    "number": values["number"],
                    "number_e164": e164,
                    "agent_id": agent.id if agent else False,
                }
            )
        return good, errors

    def _cc_row_error(self, values, e164, seen, listed, agents):
        if not e164:
            return self.env._("Invalid phone number")
        if e164 in seen:
            return self.env._("Duplicate of row %s", seen[e164])
        if e164 in listed:
            return self.env._("Already listed in campaign %s", listed[e164])
        if self.env["cc.blacklist"]._cc_is_blacklisted(e164, "outbound"):
            return self.env._("On the do-not-call list")
        if values.get("agent") and values["agent"] not in agents:
            return self.env._("Unknown agent %s (not in the campaign)", values["agent"])
        return None

    @api.model
    def _cc_numbers_listed(self, campaign):
        """Numbers already in this campaign or in another campaign still running: {e164: campaign}."""
        targets = self.env["cc.campaign.target"].search(
            [
                ("company_id", "=", campaign.company_id.id),
                ("state", "in", ("pending", "claimed", "dialing")),
                "|",
                ("campaign_id", "=", campaign.id),
                ("campaign_id.state", "in", ("draft", "running", "paused")),
            ]
        )
        listed = {target.number_e164: target.campaign_id.name for target in targets}
        listed.update({t.number_e164: campaign.name for t in campaign.target_ids})
        return listed

    @api.model
    def _cc_error_report(self, errors):
        buffer = io.BytesIO()
        book = xlsxwriter.Workbook(buffer, {"in_memory": True})
        sheet = book.add_worksheet(self.env._("Rejected rows"))
        header = [self.env._("Row"), self.env._("Name"), self.env._("Number"), self.env._("Error")]
        sheet.write_row(0, 0, header, book.add_format({"bold": True}))
        for index, error in enumerate(errors, start=1):
            sheet.write_row(index, 0, [error["row"], error["name"] or "", error["number"], error["error"]])
        book.close()
        return buffer.getvalue()


class CcCampaignImportLine(models.TransientModel):
    _name = "cc.campaign.import.line"
    _description = "Rejected Import Row"
    _order = "row"

    wizard_id = fields.Many2one("cc.campaign.import", required=True, ondelete="cascade")
    row = fields.Integer()
    name = fields.Char()
    number = fields.Char()
    error = fields.Char()
