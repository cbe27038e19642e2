from odoo import http
from odoo.http import request
from odoo.tools import consteq


class CallCenterMetrics(http.Controller):
    @http.route("/callcenter/metrics", type="http", auth="none", methods=["GET"], save_session=False)
    def metrics(self, token="", **_kwargs):
        """Prometheus metrics of the call center (calls, queues, agents, bridges), for a scraper holding the
        token set in the system parameter ``callcenter_cti.metrics_token``; 404 without it, as for no page."""
        if not request.db:
            return request.not_found()
        # sudo: the token, not a user, is the credential; only aggregates are exposed
        env = request.env(su=True)
        expected = env["ir.config_parameter"].get_param("callcenter_cti.metrics_token") or ""
        if not (expected and token and consteq(expected, token)):
            return request.not_found()
        body = env["cc.pbx.server"]._cc_prometheus()
        return request.make_response(body, headers=[("Content-Type", "text/plain; version=0.0.4")])
