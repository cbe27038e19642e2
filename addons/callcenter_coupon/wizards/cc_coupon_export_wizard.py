import base64
import datetime
import io

import xlsxwriter

from odoo import api, fields, models
from odoo.exceptions import UserError


class CcCouponExportWizard(models.TransientModel):
    """The managers' Excel workbook: a summary by program and agent, every coupon, every consumption."""

    _name = "cc.coupon.export.wizard"
    _description = "Coupon Excel Export"

    date_from = fields.Date(
        string="From", required=True, default=lambda self: fields.Date.context_today(self).replace(day=1)
    )
    date_to = fields.Date(string="To", required=True, default=fields.Date.context_today)
    program_ids = fields.Many2many(
        "loyalty.program", string="Programs", domain=[("program_type", "=", "coupons")], help="Empty: all."
    )

    @api.constrains("date_from", "date_to")
    def _check_dates(self):
        for wizard in self:
            if wizard.date_from > wizard.date_to:
                raise UserError(self.env._("The period must start before it ends."))

    def _period_domain(self, field):
        self.ensure_one()
        start = datetime.datetime.combine(self.date_from, datetime.time.min)
        end = datetime.datetime.combine(self.date_to + datetime.timedelta(days=1), datetime.time.min)
        domain = [(field, ">=", start), (field, "<", end)]
        if self.program_ids:
            domain.append(("program_id", "in", self.program_ids.ids))
        return domain

    def action_export(self):
        self.ensure_one()
        content = self._cc_workbook()
        name = f"coupons_{self.date_from:%Y%m%d}_{self.date_to:%Y%m%d}.xlsx"
        attachment = self.env["ir.attachment"].create(
            {
                "name": name,
                "datas": base64.b64encode(content),
                "res_model": self._name,
                "res_id": self.id,
                "mimetype": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            }
        )
        return {
            "type": "ir.actions.act_url",
            "url": f"/web/content/{attachment.id}?download=true",
            "target": "self",
        }

    def _cc_workbook(self):
        """The .xlsx bytes: header rows in bold, frozen under the header, numbers and dates formatted."""
        self.ensure_one()
        env = self.env
        coupons = env["cc.coupon.report"].search(self._period_domain("date"), order="date, id")
        usages = env["cc.coupon.usage"].search(self._period_domain("date"), order="date, id")
        states = dict(coupons._fields["state"]._description_selection(env))

        buffer = io.BytesIO()
        book = xlsxwriter.Workbook(buffer, {"in_memory": True, "remove_timezone": True})
        head = book.add_format({"bold": True, "bg_color": "#D9E1F2", "border": 1, "text_wrap": True})
        money = book.add_format({"num_format": "#,##0.00"})
        integer = book.add_format({"num_format": "0"})
        when = book.add_format({"num_format": "yyyy-mm-dd hh:mm"})
        day = book.add_format({"num_format": "yyyy-mm-dd"})
        percent = book.add_format({"num_format": "0.0%"})

        def sheet(title, columns, rows):
            ws = book.add_worksheet(title)
            for col, (label, width, _fmt) in enumerate(columns):
                ws.write(0, col, label, head)
                ws.set_column(col, col, width)
            for row_no, row in enumerate(rows, start=1):
                for col, value in enumerate(row):
                    fmt = columns[col][2]
                    if value is None or value is False:
                        ws.write_blank(row_no, col, None, fmt)
                    elif isinstance(value, datetime.datetime):
                        ws.write_datetime(row_no, col, fields.Datetime.context_timestamp(self, value), fmt)
                    elif isinstance(value, datetime.date):
                        ws.write_datetime(
                            row_no, col, datetime.datetime.combine(value, datetime.time.min), fmt
                        )
                    else:
                        ws.write(row_no, col, value, fmt)
            ws.freeze_panes(1, 0)
            ws.autofilter(0, 0, max(len(rows), 1), len(columns) - 1)
            return ws

        # Summary by program and agent.
        summary = {}
        for row in coupons:
            key = (row.program_id.name or "", row.user_id.name or "")
            line = summary.setdefault(key, [0, 0, 0, 0, 0.0])
            line[0] += 1
            line[1] += row.valid_count
            line[2] += row.used_count
            line[3] += row.expired_count
            line[4] += row.discount_amount
        sheet(
            env._("Summary"),
            [
                (env._("Program"), 28, None),
                (env._("Issued By"), 20, None),
                (env._("Issued"), 10, integer),
                (env._("Available"), 10, integer),
                (env._("Used"), 10, integer),
                (env._("Expired"), 10, integer),
                (env._("Usage Rate"), 12, percent),
                (env._("Amount Deducted"), 16, money),
            ],
            [
                [program, agent, n, valid, used, expired, used / n if n else 0.0, amount]
                for (program, agent), (n, valid, used, expired, amount) in sorted(summary.items())
            ],
        )
        sheet(
            env._("Coupons"),
            [
                (env._("Issued On"), 17, when),
                (env._("Code"), 22, None),
                (env._("Program"), 24, None),
                (env._("Customer"), 20, None),
                (env._("Issued By"), 16, None),
                (env._("Reason"), 28, None),
                (env._("Call"), 18, None),
                (env._("Status"), 10, None),
                (env._("Valid Until"), 12, day),
                (env._("Used On"), 17, when),
                (env._("Order"), 14, None),
                (env._("Amount Deducted"), 16, money),
            ],
            [
                [
                    row.date,
                    row.code,
                    row.program_id.name,
                    row.partner_id.display_name,
                    row.user_id.name,
                    row.reason,
                    row.call_id.display_name,
                    states.get(row.state, ""),
                    row.expiration_date,
                    row.used_date,
                    row.order_ref,
                    row.discount_amount,
                ]
                for row in coupons
            ],
        )
        sheet(
            env._("Consumption"),
            [
                (env._("Order Date"), 17, when),
                (env._("Order"), 14, None),
                (env._("Customer"), 20, None),
                (env._("Code"), 22, None),
                (env._("Program"), 24, None),
                (env._("Issued By"), 16, None),
                (env._("Salesperson"), 16, None),
                (env._("Amount Deducted"), 16, money),
                (env._("Order Total"), 16, money),
            ],
            [
                [
                    row.date,
                    row.order_ref,
                    row.partner_id.display_name,
                    row.code,
                    row.program_id.name,
                    row.issued_by_id.name,
                    row.salesperson_id.name,
                    row.amount,
                    row.order_amount,
                ]
                for row in usages
            ],
        )
        book.close()
        return buffer.getvalue()
