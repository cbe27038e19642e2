import csv
import io

from odoo import http
from odoo.http import request

from ..models.cc_call import CSV_COLUMNS


class CallCenterController(http.Controller):
    @http.route("/callcenter/calls/export.csv", type="http", auth="user", methods=["GET"])
    def export_calls_csv(self, ids="", **_kwargs):
        """The calls the user selected, as the replay command's CSV; record rules decide what they get."""
        calls = request.env["cc.call"].browse(self._parse_ids(ids)).exists()
        calls = calls._filtered_access("read") if calls else calls
        body = self._csv(calls._cti_csv_rows())
        headers = [
            ("Content-Type", "text/csv; charset=utf-8"),
            ("Content-Disposition", http.content_disposition("calls.csv")),
        ]
        return request.make_response(body, headers=headers)

    @staticmethod
    def _parse_ids(ids):
        return [int(part) for part in ids.split(",") if part.strip().isdigit()]

    @staticmethod
    def _csv(rows):
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(CSV_COLUMNS)
        writer.writerows(rows)
        return buffer.getvalue().encode("utf-8")
