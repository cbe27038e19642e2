import datetime

from odoo import api, models
from odoo.tools import SQL

# Rows written this long before the last refresh are looked at again: a transaction that started before the
# refresh may commit after it with older write dates.
REFRESH_OVERLAP = "10 minutes"
DEFAULT_TIMEZONE = "UTC"
HOUR = datetime.timedelta(hours=1)
WEEKDAYS = [
    ("0", "Sunday"),
    ("1", "Monday"),
    ("2", "Tuesday"),
    ("3", "Wednesday"),
    ("4", "Thursday"),
    ("5", "Friday"),
    ("6", "Saturday"),
]


class CcReportMixin(models.AbstractModel):
    """What the call-center reports share: ratio figures that stay right when grouped (pivot, graph), the
    report time zone, and the incremental refresh of the pre-aggregated reports."""

    _name = "cc.report.mixin"
    _description = "Call Center Report"

    # {ratio field: (numerator column, denominator column, factor)}: grouped, a ratio is SUM(num) / SUM(den).
    _cc_ratios = {}

    @api.model
    def _read_group_select(self, aggregate_spec, query):
        fname = aggregate_spec.split(":")[0]
        if fname not in self._cc_ratios:
            return super()._read_group_select(aggregate_spec, query)
        self._check_field_access(self._fields[fname], "read")
        numerator, denominator, factor = self._cc_ratios[fname]
        return SQL(
            "ROUND((%s * SUM(%s) / NULLIF(SUM(%s), 0))::numeric, 2)",
            factor,
            self._field_to_sql(self._table, numerator, query),
            self._field_to_sql(self._table, denominator, query),
        )

    @api.model
    def _cc_timezone(self):
        """The time zone of the reports' days, hours and weekdays (system parameter, default UTC)."""
        # sudo: the report time zone is a technical setting every report reader needs
        param = self.env["ir.config_parameter"].sudo().get_param("callcenter_cti.report_timezone")
        return param or DEFAULT_TIMEZONE

    @api.model
    def _cc_local(self, column):
        """SQL of ``column`` (UTC timestamp) in the report time zone."""
        return SQL("(%s AT TIME ZONE 'UTC' AT TIME ZONE %s)", column, self._cc_timezone())

    @api.model
    def _cc_local_live(self, column):
        """Like _cc_local for SQL views: the time zone is read when the view is queried."""
        return SQL(
            "(%s AT TIME ZONE 'UTC' AT TIME ZONE COALESCE((SELECT value FROM ir_config_parameter "
            "WHERE key = 'callcenter_cti.report_timezone'), %s))",
            column,
            DEFAULT_TIMEZONE,
        )

    @api.model
    def _cc_int_param(self, key, default):
        # sudo: report thresholds are technical settings every report reader needs
        value = self.env["ir.config_parameter"].sudo().get_param(key)
        try:
            return int(value) if value not in (None, False, "") else default
        except ValueError:
            return default


class CcReportAggregate(models.AbstractModel):
    """A report kept as a table of hourly rows (UTC hours), rebuilt for the hours whose sources changed."""

    _name = "cc.report.aggregate"
    _inherit = ["cc.report.mixin"]
    _description = "Pre-aggregated Call Center Report"
    _auto = False

    # [(table, start column, end column or None)]: the source rows whose changes make hours dirty.
    _cc_sources = []
    # [(table, column)]: indexes on the sources that the refresh's range conditions use.
    _cc_source_indexes = []

    def _cc_create_table(self):
        """CREATE TABLE IF NOT EXISTS of the report (the model declares its columns)."""
        raise NotImplementedError

    def _cc_insert_hours(self, hours):
        """INSERT the report's rows of ``hours`` (UTC hour starts)."""
        raise NotImplementedError

    def init(self):
        if self._abstract:
            return
        self._cc_drop_outdated_table()
        self._cc_create_table()
        indexes = [
            (table, "write_date") for table, _start, _end in self._cc_sources
        ] + self._cc_source_indexes
        for table, column in indexes:
            self.env.cr.execute(
                SQL(
                    "CREATE INDEX IF NOT EXISTS %s ON %s (%s)",
                    SQL.identifier(f"{table}_{column}_report_idx"),
                    SQL.identifier(table),
                    SQL.identifier(column),
                )
            )

    def _cc_drop_outdated_table(self):
        """The table holds derived figures only: when its columns are not the model's, drop it (the next
        refresh rebuilds it whole)."""
        rows = self.env.execute_query(
            SQL("SELECT column_name FROM information_schema.columns WHERE table_name = %s", self._table)
        )
        expected = {name for name, field in self._fields.items() if field.store and field.column_type}
        if rows and {name for (name,) in rows} != expected:
            self.env.cr.execute(SQL("DROP TABLE %s", SQL.identifier(self._table)))
        # When each report was last refreshed (a table of its own: a system parameter's write would clear
        # every worker's caches at each refresh).
        self.env.cr.execute(
            "CREATE TABLE IF NOT EXISTS cc_report_refresh_mark "
            "(report varchar PRIMARY KEY, refreshed timestamp)"
        )
        if rows and {name for (name,) in rows} != expected:
            self.env.cr.execute(SQL("DELETE FROM cc_report_refresh_mark WHERE report = %s", self._table))

    @api.model
    def cc_refresh(self, full=False):
        """Bring the report up to date; returns the number of hours rebuilt (None: another refresh runs)."""
        cr = self.env.cr
        cr.execute(SQL("SELECT pg_try_advisory_xact_lock(hashtext(%s))", self._table))
        if not cr.fetchone()[0]:
            return None
        self.env.flush_all()
        since = None if full else self._cc_refresh_mark()
        cr.execute("SELECT now() AT TIME ZONE 'UTC'")
        now = cr.fetchone()[0]
        hours = self._cc_dirty_hours(since)
        if full:
            cr.execute(SQL("TRUNCATE %s", SQL.identifier(self._table)))
        elif hours:
            cr.execute(SQL("DELETE FROM %s WHERE period = ANY(%s)", SQL.identifier(self._table), hours))
        if hours:
            self._cc_insert_hours(hours)
        cr.execute(
            SQL(
                """INSERT INTO cc_report_refresh_mark (report, refreshed) VALUES (%s, %s)
                   ON CONFLICT (report) DO UPDATE SET refreshed = EXCLUDED.refreshed""",
                self._table,
                now,
            )
        )
        self.env.invalidate_all()
        return len(hours)

    @api.model
    def _cc_refresh_mark(self):
        rows = self.env.execute_query(
            SQL("SELECT refreshed FROM cc_report_refresh_mark WHERE report = %s", self._table)
        )
        return rows[0][0] if rows else None

    @api.model
    def _cc_dirty_hours(self, since):
        """UTC hour starts touched by the source rows written since ``since`` (every hour when None)."""
        parts = []
        for table, start, end in self._cc_sources:
            last = SQL("COALESCE(%s, %s)", SQL.identifier(end), SQL.identifier(start)) if end else None
            span = SQL(
                "generate_series(date_trunc('hour', %s), date_trunc('hour', %s), interval '1 hour')",
                SQL.identifier(start),
                last or SQL.identifier(start),
            )
            written = (
                SQL("write_date > %s::timestamp - interval %s", since, REFRESH_OVERLAP)
                if since
                else SQL("TRUE")
            )
            parts.append(
                SQL(
                    "SELECT DISTINCT %s AS hour FROM %s WHERE %s IS NOT NULL AND %s",
                    span,
                    SQL.identifier(table),
                    SQL.identifier(start),
                    written,
                )
            )
        rows = self.env.execute_query(
            SQL("SELECT DISTINCT hour FROM (%s) h ORDER BY hour", SQL(" UNION ALL ").join(parts))
        )
        return [hour for (hour,) in rows]

    @api.model
    def action_cc_open(self):
        """The report's window action, after an incremental refresh (readers see up-to-date figures)."""
        # sudo: readers of the report rebuild its dirty hours; they still see only their own rows
        self.sudo().cc_refresh()
        return self.env["ir.actions.act_window"]._for_xml_id(self._cc_action)

    @api.model
    def _cron_cc_refresh(self):
        self.cc_refresh()


def in_hours(column, hours):
    """AND-condition: ``column`` falls in one of ``hours`` (the range first, so that indexes serve)."""
    return SQL(
        "AND %s >= %s AND %s < %s AND date_trunc('hour', %s) = ANY(%s::timestamp[])",
        column,
        hours[0],
        column,
        hours[-1] + HOUR,
        column,
        hours,
    )
