import datetime
import os
import tempfile

import pytz
import xlsxwriter
from xlsxwriter.utility import xl_col_to_name

from odoo import api, fields, models
from odoo.tools import SQL

BATCH = 5000
EXCEL_EPOCH = datetime.datetime(1899, 12, 30)
SUMMARY_SHEET = "Summary"
# Characters XML 1.0 does not allow (control characters but tab, newline and carriage return).
_XML_ILLEGAL = dict.fromkeys([*range(0, 9), 11, 12, *range(14, 32)])

# The exportable reports: model, the field the period filters, the columns (field, kind, width), the chart's
# measure over days ("__count" or "<field>:<aggregate>").
EXPORTS = {
    "call": {
        "model": "cc.report.call",
        "date_field": "start",
        "columns": [
            ("start", "datetime", 19), ("direction", "text", 10), ("caller_raw", "text", 16),
            ("callee_raw", "text", 16), ("customer_e164", "text", 16), ("did", "text", 14),
            ("queue_id", "text", 14), ("agent_id", "text", 18), ("disposition", "text", 14),
            ("wait_s", "seconds", 9), ("talk_s", "seconds", 9), ("hold_s", "seconds", 9),
            ("wrapup_s", "seconds", 9), ("hour", "int", 6), ("weekday", "text", 10),
        ],
        "measure": "__count",
    },
    "agent_state": {
        "model": "cc.agent.state.log",
        "date_field": "start",
        "columns": [
            ("agent_id", "text", 18), ("state", "text", 12), ("reason", "text", 14),
            ("start", "datetime", 19), ("end", "datetime", 19), ("duration", "seconds", 10),
        ],
        "measure": "duration:sum",
    },
    "agent_kpi": {
        "model": "cc.report.agent.kpi",
        "date_field": "date",
        "columns": [
            ("period", "datetime", 19), ("agent_id", "text", 18), ("offered", "int", 8),
            ("answered", "int", 8), ("missed", "int", 8), ("answer_rate", "percent", 9),
            ("ring_s", "seconds", 9),
            ("talk_s", "seconds", 9), ("avg_talk_s", "seconds", 9), ("hold_s", "seconds", 9),
            ("wrapup_s", "seconds", 9), ("aht_s", "seconds", 9), ("occupancy", "percent", 9),
            ("paused_s", "seconds", 9), ("logged_in_s", "seconds", 9), ("avg_score", "ratio", 9),
        ],
        "measure": "answered:sum",
    },
    "abandoned": {
        "model": "cc.report.abandoned",
        "date_field": "queue_entry",
        "columns": [
            ("customer_e164", "text", 16), ("did", "text", 14), ("queue_id", "text", 14),
            ("queue_entry", "datetime", 19), ("wait_s", "seconds", 9), ("position_abandon", "int", 8),
            ("agents_rung", "int", 8), ("hangup", "datetime", 19),
        ],
        "measure": "__count",
    },
    "queue": {
        "model": "cc.report.queue",
        "date_field": "date",
        "columns": [
            ("period", "datetime", 19), ("queue_id", "text", 14), ("offered", "int", 8),
            ("answered", "int", 8), ("abandoned", "int", 8), ("short_abandoned", "int", 8),
            ("service_level", "percent", 9),
            ("abandon_rate", "percent", 9), ("asa_s", "seconds", 9), ("aht_s", "seconds", 9),
            ("max_wait_s", "seconds", 9),
        ],
        "measure": "offered:sum",
    },
    "satisfaction": {
        "model": "cc.report.satisfaction",
        "date_field": "start",
        "columns": [
            ("start", "datetime", 19), ("agent_id", "text", 18), ("queue_id", "text", 14),
            ("customer_e164", "text", 16), ("score", "int", 7),
        ],
        "measure": "avg_score:sum",
    },
}  # fmt: skip
NUMBER_FORMATS = {
    "datetime": "yyyy-mm-dd hh:mm:ss",
    "date": "yyyy-mm-dd",
    "int": "0",
    "seconds": "#,##0.0",
    "percent": "0.00",
    "ratio": "0.00",
}


class CcReportExportWizard(models.TransientModel):
    """Excel workbook of a report over a period: a data sheet (header, number formats, frozen header) streamed
    in constant memory, and a summary sheet by day with a chart."""

    _name = "cc.report.export.wizard"
    _description = "Call Center Report Export"

    report = fields.Selection(
        [
            ("call", "Call Detail"),
            ("agent_state", "Agent Monitoring"),
            ("agent_kpi", "Agent KPIs"),
            ("abandoned", "Abandoned Calls"),
            ("queue", "Queue Report"),
            ("satisfaction", "Satisfaction"),
        ],
        required=True,
        default="call",
    )
    date_from = fields.Date(required=True, default=lambda self: fields.Date.context_today(self))
    date_to = fields.Date(required=True, default=lambda self: fields.Date.context_today(self))

    def action_export(self):
        """Write the workbook, keep it as an attachment and download it."""
        self.ensure_one()
        spec = EXPORTS[self.report]
        if spec["model"] in ("cc.report.agent.kpi", "cc.report.queue"):
            # sudo: readers of a pre-aggregated report rebuild its dirty hours (their rules still apply)
            self.env[spec["model"]].sudo().cc_refresh()
        fd, path = tempfile.mkstemp(suffix=".xlsx")
        os.close(fd)
        try:
            self._cc_write_workbook(spec, self._cc_domain(spec), path)
            with open(path, "rb") as handle:
                raw = handle.read()
        finally:
            os.unlink(path)
        name = f"{self.report}_{self.date_from}_{self.date_to}.xlsx"
        attachment = self.env["ir.attachment"].create(
            {"name": name, "raw": raw, "res_model": self._name, "res_id": self.id}
        )
        return {"type": "ir.actions.act_url", "url": f"/web/content/{attachment.id}?download=true"}

    def _cc_domain(self, spec):
        """The period as a domain on the report's date (a Date) or datetime (from the user's day bounds)."""
        Model = self.env[spec["model"]]
        fname = spec["date_field"]
        if Model._fields[fname].type == "date":
            return [(fname, ">=", self.date_from), (fname, "<=", self.date_to)]
        tz = pytz.timezone(self.env.user.tz or "UTC")
        bounds = [
            tz.localize(datetime.datetime.combine(day, datetime.time.min))
            .astimezone(pytz.utc)
            .replace(tzinfo=None)
            for day in (self.date_from, self.date_to + datetime.timedelta(days=1))
        ]
        return [(fname, ">=", bounds[0]), (fname, "<", bounds[1])]

    @api.model
    def _cc_write_workbook(self, spec, domain, path):
        """Stream the report's rows matching ``domain`` into an .xlsx at ``path``; returns the row count."""
        Model = self.env[spec["model"]]
        self.env.flush_all()  # the report reads the tables with SQL
        workbook = xlsxwriter.Workbook(path, {"constant_memory": True, "strings_to_numbers": False})
        try:
            formats = {kind: workbook.add_format({"num_format": fmt}) for kind, fmt in NUMBER_FORMATS.items()}
            header = workbook.add_format({"bold": True, "bg_color": "#D9E1F2", "border": 1})
            sheet = workbook.add_worksheet(self._cc_sheet_name(Model._description))
            for col, (fname, kind, width) in enumerate(spec["columns"]):
                sheet.set_column(col, col, width, formats.get(kind))
                sheet.write(0, col, Model._fields[fname]._description_string(self.env), header)
            sheet.freeze_panes(1, 0)
            styles = [
                formats[kind]._get_xf_index() if kind in formats else 0 for _f, kind, _w in spec["columns"]
            ]
            count = _stream_rows(sheet, self._cc_batches(Model, domain, spec["columns"]), styles)
            sheet.autofilter(0, 0, max(count, 1), len(spec["columns"]) - 1)
            self._cc_write_summary(workbook, Model, domain, spec, header, formats)
        finally:
            workbook.close()
        return count

    @api.model
    def _cc_sheet_name(self, name):
        return "".join(ch for ch in name if ch not in "[]:*?/\\")[:31]

    @api.model
    def _cc_batches(self, Model, domain, columns):
        """Lists of rows (Excel-ready values, None for empty) in id order, BATCH at a time (keyset on id, the
        reader's access rules apply). Dates and datetimes come from SQL as Excel serial numbers."""
        factories = [self._cc_converter(Model, fname) for fname, _kind, _width in columns]
        last_id = 0
        while True:
            query = Model._search(domain)
            query.add_where(SQL("%s > %s", SQL.identifier(Model._table, "id"), last_id))
            query.order = SQL("%s", SQL.identifier(Model._table, "id"))
            query.limit = BATCH
            selects = [SQL.identifier(Model._table, "id")] + [
                self._cc_select(Model, fname, query) for fname, _kind, _width in columns
            ]
            rows = self.env.execute_query(query.select(*selects))
            if not rows:
                return
            last_id = rows[-1][0]
            converters = [factory and factory(rows, index + 1) for index, factory in enumerate(factories)]
            yield [[c(v) if c else v for c, v in zip(converters, row[1:], strict=True)] for row in rows]
            if len(rows) < BATCH:
                return

    @api.model
    def _cc_select(self, Model, fname, query):
        """SQL of a column's value; a date or datetime (in the user's time zone) as an Excel serial number."""
        column = Model._field_to_sql(Model._table, fname, query)
        field_type = Model._fields[fname].type
        if field_type == "datetime":
            local = SQL("(%s AT TIME ZONE 'UTC' AT TIME ZONE %s)", column, self.env.user.tz or "UTC")
            return SQL("EXTRACT(EPOCH FROM %s - TIMESTAMP '1899-12-30') / 86400.0", local)
        if field_type == "date":
            return SQL("(%s - DATE '1899-12-30')", column)
        return column

    @api.model
    def _cc_converter(self, Model, fname):
        """A factory (batch rows, column index) -> value converter, for the columns that need one."""
        field = Model._fields[fname]
        if field.type == "many2one":
            return self._cc_name_converter(field)
        if field.type == "selection":
            labels = dict(field._description_selection(self.env))
            return lambda rows, index: labels.get
        return None

    @api.model
    def _cc_name_converter(self, field):
        cache = {}
        comodel = self.env[field.comodel_name].with_context(active_test=False)

        def factory(rows, index):
            missing = {row[index] for row in rows if row[index] and row[index] not in cache}
            for record in comodel.browse(missing):
                cache[record.id] = record.display_name
            return cache.get

        return factory

    @api.model
    def _cc_write_summary(self, workbook, Model, domain, spec, header, formats):
        """Summary sheet: the chart measure by day, and a column chart of it."""
        granularity = f"{spec['date_field']}:day"
        groups = Model._read_group(domain, [granularity], [spec["measure"]], order=granularity)
        sheet = workbook.add_worksheet(SUMMARY_SHEET)
        measure_label = self._cc_measure_label(Model, spec["measure"])
        sheet.write_row(0, 0, [self.env._("Day"), measure_label], header)
        sheet.set_column(0, 0, 12, formats["date"])
        sheet.set_column(1, 1, 14, formats["ratio"])
        for row, (day, value) in enumerate(groups, start=1):
            sheet.write_row(row, 0, [_excel_serial(day), value or 0])
        sheet.freeze_panes(1, 0)
        chart = workbook.add_chart({"type": "column"})
        chart.add_series(
            {
                "name": measure_label,
                "categories": [SUMMARY_SHEET, 1, 0, max(len(groups), 1), 0],
                "values": [SUMMARY_SHEET, 1, 1, max(len(groups), 1), 1],
            }
        )
        chart.set_title({"name": f"{Model._description}: {measure_label}"})
        chart.set_legend({"none": True})
        sheet.insert_chart(1, 3, chart, {"x_scale": 1.6, "y_scale": 1.4})

    @api.model
    def _cc_measure_label(self, Model, measure):
        if measure == "__count":
            return self.env._("Count")
        return Model._fields[measure.split(":")[0]]._description_string(self.env)


def _stream_rows(sheet, batches, styles):
    """Append the data rows to a constant-memory worksheet as SheetML, one write per batch; returns the count.

    XlsxWriter's write_row() costs some 10 µs a cell; this writes the same <row>/<c> elements (inline strings,
    the column's number format) straight to the worksheet's row file, after its header row.
    """
    sheet._write_single_row(1)  # flush the header row: what follows goes after it
    heads = [f'<c r="{xl_col_to_name(col)}' for col in range(len(styles))]
    styled = [f' s="{style}"' if style else "" for style in styles]
    text_tails = [f'{attr} t="inlineStr"><is><t>' for attr in styled]
    number_tails = [f"{attr}><v>" for attr in styled]
    count = 0
    for rows in batches:
        out = []
        for values in rows:
            count += 1
            ref = str(count + 1)
            cells = []
            for col, value in enumerate(values):
                if value is None or value == "":
                    continue
                if value.__class__ is str:
                    text = _xml_text(value)
                    cells.append(f'{heads[col]}{ref}"{text_tails[col]}{text}</t></is></c>')
                else:
                    cells.append(f'{heads[col]}{ref}"{number_tails[col]}{float(value)!r}</v></c>')
            out.append(f'<row r="{ref}">{"".join(cells)}</row>')
        sheet.row_data_fh.write("".join(out))
    sheet.dim_rowmax = max(sheet.dim_rowmax or 0, count)
    sheet.previous_row = count + 1
    return count


def _xml_text(value):
    return value.translate(_XML_ILLEGAL).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _excel_serial(value):
    """A date or naive UTC datetime as an Excel serial number (formatted by its column)."""
    if not value:
        return ""
    if not isinstance(value, datetime.datetime):
        value = datetime.datetime.combine(value, datetime.time.min)
    return (value.replace(tzinfo=None) - EXCEL_EPOCH).total_seconds() / 86400.0
