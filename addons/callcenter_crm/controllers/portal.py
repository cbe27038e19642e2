from odoo import http
from odoo.exceptions import AccessError, MissingError
from odoo.http import request

from odoo.addons.portal.controllers.portal import CustomerPortal
from odoo.addons.portal.controllers.portal import pager as portal_pager

# model → (list url, page name, session history key, list template, detail template)
PORTAL_DOCUMENTS = {
    "cc.work.order": (
        "/my/work_orders",
        "cc_work_orders",
        "my_cc_work_orders_history",
        "callcenter_crm.portal_my_cc_work_orders",
        "callcenter_crm.portal_cc_work_order_page",
    ),
    "cc.service.record": (
        "/my/service_records",
        "cc_service_records",
        "my_cc_service_records_history",
        "callcenter_crm.portal_my_cc_service_records",
        "callcenter_crm.portal_cc_service_record_page",
    ),
}


class CallCenterPortal(CustomerPortal):
    """The customer's work orders and service records under /my (their orders are sale's)."""

    def _prepare_home_portal_values(self, counters):
        values = super()._prepare_home_portal_values(counters)
        for model, key in (
            ("cc.work.order", "cc_work_order_count"),
            ("cc.service.record", "cc_service_record_count"),
        ):
            if key in counters:
                Model = request.env[model]
                values[key] = Model.search_count([]) if Model.has_access("read") else 0
        return values

    def _cc_searchbar_sortings(self, model):
        sortings = {
            "date": {"label": request.env._("Newest"), "order": "create_date desc, id desc"},
            "name": {"label": request.env._("Reference"), "order": "name desc, id desc"},
        }
        if model == "cc.work.order":
            sortings["stage"] = {"label": request.env._("Status"), "order": "state, id desc"}
        else:
            sortings["stage"] = {"label": request.env._("Status"), "order": "is_done, id desc"}
        return sortings

    def _cc_render_list(self, model, page, sortby):
        url, page_name, history, template, __ = PORTAL_DOCUMENTS[model]
        Model = request.env[model]
        sortings = self._cc_searchbar_sortings(model)
        sortby = sortby if sortby in sortings else "date"
        pager = portal_pager(
            url=url,
            url_args={"sortby": sortby},
            total=Model.search_count([]),
            page=page,
            step=self._items_per_page,
        )
        # the customer's own documents: the portal record rules do the filtering
        documents = Model.search(
            [], order=sortings[sortby]["order"], limit=self._items_per_page, offset=pager["offset"]
        )
        request.session[history] = documents.ids[:100]
        values = self._prepare_portal_layout_values()
        values.update(
            {
                # sudo: rendering the stage, status and category names of documents the rules let through
                "documents": documents.sudo(),
                "page_name": page_name,
                "pager": pager,
                "default_url": url,
                "searchbar_sortings": sortings,
                "sortby": sortby,
            }
        )
        return request.render(template, values)

    def _cc_render_page(self, model, document_id, access_token, **kw):
        __, page_name, history, __, template = PORTAL_DOCUMENTS[model]
        try:
            document_sudo = self._document_check_access(model, document_id, access_token)
        except (AccessError, MissingError):
            # the same answer for another customer's document and for no document at all
            raise request.not_found() from None
        values = {"document": document_sudo, "page_name": page_name}
        values = self._get_page_view_values(document_sudo, access_token, values, history, False, **kw)
        return request.render(template, values)

    @http.route(
        ["/my/work_orders", "/my/work_orders/page/<int:page>"], type="http", auth="user", website=True
    )
    def portal_my_cc_work_orders(self, page=1, sortby=None, **kw):
        return self._cc_render_list("cc.work.order", page, sortby)

    @http.route(["/my/work_orders/<int:order_id>"], type="http", auth="public", website=True)
    def portal_cc_work_order_page(self, order_id, access_token=None, **kw):
        return self._cc_render_page("cc.work.order", order_id, access_token, **kw)

    @http.route(
        ["/my/service_records", "/my/service_records/page/<int:page>"], type="http", auth="user", website=True
    )
    def portal_my_cc_service_records(self, page=1, sortby=None, **kw):
        return self._cc_render_list("cc.service.record", page, sortby)

    @http.route(["/my/service_records/<int:record_id>"], type="http", auth="public", website=True)
    def portal_cc_service_record_page(self, record_id, access_token=None, **kw):
        return self._cc_render_page("cc.service.record", record_id, access_token, **kw)
