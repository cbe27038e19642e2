import csv
import io
import os

from odoo import http
from odoo.exceptions import AccessError
from odoo.http import Stream, request

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

    @http.route("/callcenter/recording/<int:call_id>", type="http", auth="user", methods=["GET"])
    def recording(self, call_id, download=None, **_kwargs):
        """Stream a call's recording (HTML5 audio seeks with Range requests) to whoever may read the call.

        Agents get their own calls, supervisors and managers all (the call's record rules); a missing call, a
        forbidden one and a missing file answer the same 404, so guessing ids reveals nothing.
        """
        path = self._readable_recording(call_id)
        if not path:
            raise request.not_found()
        stat = os.stat(path)
        stream = Stream(
            type="path",
            path=path,
            mimetype="audio/wav" if path.endswith(".wav") else "application/octet-stream",
            download_name=os.path.basename(path),
            etag=f"{int(stat.st_mtime)}-{stat.st_size}",
            last_modified=stat.st_mtime,
            size=stat.st_size,
        )
        return stream.get_response(as_attachment=bool(download))

    @staticmethod
    def _readable_recording(call_id):
        call = request.env["cc.call"].browse(call_id).exists()
        try:
            call.check_access("read")
        except AccessError:
            return None
        # sudo: the user may read the call; the server's recordings folder is configuration they need not read
        return call.sudo()._cc_recording_path() if call else None

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
