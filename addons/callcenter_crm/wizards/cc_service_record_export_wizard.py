import base64
import io

import xlsxwriter

from odoo import fields, models


class CcServiceRecordExportWizard(models.TransientModel):
    """The service-record report and its processing trace as an Excel workbook."""

    _name = "cc.service.record.export.wizard"
    _description = "Export Service Records"

    date_from = fields.Date(string="From")
    date_to = fields.Date(string="To")
    file_data = fields.Binary(string="File", readonly=True, attachment=False)
    file_name = fields.Char(readonly=True)

    def action_export(self):
        self.ensure_one()
        self.write(
            {
                "file_data": base64.b64encode(self._cc_workbook(self._cc_records())),
                "file_name": f"service_records_{fields.Date.context_today(self)}.xlsx",
            }
        )
        return {
            "type": "ir.actions.act_url",
            "url": f"/web/content/{self._name}/{self.id}/file_data/{self.file_name}?download=true",
            "target": "self",
        }

    def _cc_records(self):
        """The records in the period (or those ticked in the list), as the user may read them."""
        active_ids = self.env.context.get("active_model") == "cc.service.record" and self.env.context.get(
            "active_ids"
        )
        domain = [("id", "in", active_ids)] if active_ids else []
        if self.date_from:
            domain.append(("date", ">=", fields.Datetime.to_datetime(self.date_from)))
        if self.date_to:
            domain.append(
                ("date", "<", fields.Datetime.add(fields.Datetime.to_datetime(self.date_to), days=1))
            )
        return self.env["cc.service.record"].search(domain, order="date, id")

    def _cc_workbook(self, records):
        output = io.BytesIO()
        workbook = xlsxwriter.Workbook(output, {"in_memory": True})
        bold = workbook.add_format({"bold": True})
        self._cc_sheet(
            workbook,
            self.env._("Service Records"),
            self._cc_record_columns(),
            bold,
            [self._cc_record_row(record) for record in records],
        )
        steps = records.step_ids.sorted(lambda s: (s.record_id.date, s.date, s.id))
        self._cc_sheet(
            workbook,
            self.env._("Processing Trace"),
            self._cc_step_columns(),
            bold,
            [self._cc_step_row(step) for step in steps],
        )
        workbook.close()
        return output.getvalue()

    def _cc_sheet(self, workbook, title, columns, header_format, rows):
        sheet = workbook.add_worksheet(title[:31])
        sheet.write_row(0, 0, columns, header_format)
        for row_index, row in enumerate(rows, start=1):
            sheet.write_row(row_index, 0, row)
        sheet.set_column(0, len(columns) - 1, 18)

    def _cc_record_columns(self):
        env = self.env
        return [
            env._("Reference"), env._("Date"), env._("Customer"), env._("Number"), env._("Directory"),
            env._("Type"), env._("Service"), env._("Status"), env._("Agent"), env._("Assigned To"),
            env._("Description"),
        ]  # fmt: skip

    def _cc_step_columns(self):
        env = self.env
        return [env._("Reference"), env._("Date"), env._("By"), env._("What Was Done"), env._("Status After")]

    def _cc_record_row(self, record):
        return [
            record.name,
            fields.Datetime.to_string(fields.Datetime.context_timestamp(record, record.date)),
            record.partner_id.name or "",
            record.phone or "",
            record.directory_id.name or "",
            record.type_id.name or "",
            record.category_id.name or "",
            record.status_id.name,
            record.user_id.name or "",
            record.assignee_id.name or "",
            record.description or "",
        ]

    def _cc_step_row(self, step):
        return [
            step.record_id.name,
            fields.Datetime.to_string(fields.Datetime.context_timestamp(step, step.date)),
            step.user_id.name,
            step.note,
            step.status_id.name or "",
        ]
