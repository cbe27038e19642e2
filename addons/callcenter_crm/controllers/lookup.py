from odoo import http
from odoo.http import request


class CallCenterLookup(http.Controller):
    """Status of an order or a work order for whoever holds its number and lookup password."""

    @http.route(
        "/callcenter/lookup", type="http", auth="public", methods=["GET"], website=True, sitemap=False
    )
    def cc_lookup_form(self, number="", **kw):
        return request.render("callcenter_crm.cc_lookup_page", {"number": number[:64]})

    @http.route(
        "/callcenter/lookup", type="http", auth="public", methods=["POST"], website=True, sitemap=False
    )
    def cc_lookup_submit(self, number="", password="", **kw):
        result, document = request.env["cc.lookup.attempt"]._cc_lookup(
            number, password, request.httprequest.remote_addr, request.httprequest.user_agent.string
        )
        values = {"number": number[:64], "result": result}
        if document:
            values |= {
                "document": document,
                "status": document._cc_lookup_status(),
                "history": document._cc_lookup_history(),
            }
        status = {"success": 200, "failure": 200, "blocked": 429}[result]
        return request.render("callcenter_crm.cc_lookup_page", values, status=status)
