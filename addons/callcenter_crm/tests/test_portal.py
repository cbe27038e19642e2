"""The customer portal (/my) and the public status lookup (/callcenter/lookup), over real HTTP."""

import collections
import re
from datetime import timedelta

from freezegun import freeze_time

from odoo import fields
from odoo.exceptions import AccessError
from odoo.tests import HttpCase, new_test_user, tagged
from odoo.tools import config, mute_logger
from odoo.tools.misc import file_path
from odoo.tools.translate import PoFileReader

from ..controllers.portal import CallCenterPortal
from .service_common import ServiceCase

PORTAL_VIEWS = [
    "portal_my_home_callcenter",
    "portal_breadcrumbs_callcenter",
    "portal_my_cc_work_orders",
    "portal_my_cc_service_records",
    "cc_portal_history",
    "portal_cc_work_order_page",
    "portal_cc_service_record_page",
    "cc_lookup_page",
    "cc_lookup_attempt_view_list",
    "cc_lookup_attempt_view_search",
    "cc_work_order_view_form_portal",
    "sale_order_view_form_cc_lookup",
]
PORTAL_ACTIONS = ["cc_lookup_attempt_action", "cc_work_order_action_share", "cc_service_record_action_share"]
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


@tagged("post_install", "-at_install")
class TestPortal(HttpCase, ServiceCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company_a = cls.Partner.create({"name": "A Corp", "is_company": True, "email": "a@example.com"})
        cls.customer_a = new_test_user(
            cls.env, "cc_portal_a", groups="base.group_portal", email="ann@example.com"
        )
        cls.customer_a.partner_id.parent_id = cls.company_a
        cls.customer_b = new_test_user(
            cls.env, "cc_portal_b", groups="base.group_portal", email="bob@example.com"
        )
        cls.record_a = cls._new_record(cls.customer_a.partner_id)
        cls.record_a_company = cls._new_record(cls.company_a)
        cls.record_b = cls._new_record(cls.customer_b.partner_id)
        cls.order_a = cls._new_order(cls.record_a)
        cls.order_b = cls._new_order(cls.record_b)

    @classmethod
    def _new_record(cls, partner):
        return (
            cls.env["cc.service.record"]
            .with_user(cls.agent_user)
            .create({"partner_id": partner.id, "category_id": cls.no_power.id, "type_id": cls.repair_type.id})
        )

    @classmethod
    def _new_order(cls, record):
        action = record.with_user(cls.agent_user).action_cc_create_work_order()
        return cls.env["cc.work.order"].browse(action["res_id"])

    def _get(self, url, **kw):
        return self.url_open(url, allow_redirects=False, **kw)

    def _lookup(self, number, password, headers=None):
        form = self.url_open("/callcenter/lookup")
        data = {"number": number, "password": password, "csrf_token": CSRF.search(form.text).group(1)}
        return self.url_open("/callcenter/lookup", data=data, allow_redirects=False, headers=headers)

    def _lookup_mail(self, document):
        """The e-mail that carried the lookup password: the only one the customer gets."""
        return self.env["mail.mail"].search(
            [
                ("model", "=", document._name),
                ("res_id", "=", document.id),
                ("recipient_ids", "in", document.partner_id.id),
            ]
        )

    def _code(self, document):
        return document._cc_new_lookup_codes()[document]

    # Portal: lists, counts, details, isolation

    def test_home_counts_only_the_customers_documents(self):
        self.authenticate("cc_portal_a", "cc_portal_a")
        counts = self.make_jsonrpc_request(
            "/my/counters", {"counters": ["cc_work_order_count", "cc_service_record_count"]}
        )
        self.assertEqual(counts, {"cc_work_order_count": 1, "cc_service_record_count": 2})
        home = self._get("/my/home")
        self.assertEqual(home.status_code, 200)
        self.assertIn("/my/work_orders", home.text)
        self.assertIn("/my/service_records", home.text)

    def test_lists_show_the_commercial_entity_documents_only(self):
        self.authenticate("cc_portal_a", "cc_portal_a")
        orders = self._get("/my/work_orders")
        self.assertEqual(orders.status_code, 200)
        self.assertIn(self.order_a.name, orders.text)
        self.assertNotIn(self.order_b.name, orders.text)
        records = self._get("/my/service_records?sortby=stage")
        self.assertIn(self.record_a.name, records.text)
        self.assertIn(self.record_a_company.name, records.text)
        self.assertNotIn(self.record_b.name, records.text)

    def test_list_pager(self):
        for __ in range(3):
            self._new_record(self.customer_a.partner_id)
        self.authenticate("cc_portal_a", "cc_portal_a")
        self.patch(CallCenterPortal, "_items_per_page", 2)
        first = self._get("/my/service_records")
        self.assertEqual(first.text.count("o_cc_portal_row"), 2)
        self.assertIn("/my/service_records/page/3", first.text)
        last = self._get("/my/service_records/page/3")
        self.assertEqual(last.text.count("o_cc_portal_row"), 1)

    def test_detail_shows_status_and_history(self):
        self.order_a.with_user(self.dispatcher).action_cc_forward(note="Sent to the branch")
        self.authenticate("cc_portal_a", "cc_portal_a")
        page = self._get(f"/my/work_orders/{self.order_a.id}")
        self.assertEqual(page.status_code, 200)
        for text in ("In Progress", "Dispatch", "Forwarded · Sent to the branch", "Repair"):
            self.assertIn(text, page.text)
        self.record_a.with_user(self.agent_user).status_id = self.done
        page = self._get(f"/my/service_records/{self.record_a.id}")
        self.assertEqual(page.status_code, 200)
        self.assertIn("Record created", page.text)
        self.assertIn(self.done.name, page.text)
        self.assertIn(self.order_a.name, page.text)

    def test_guessed_ids_and_tokens_get_404(self):
        token_a = self.order_a._portal_ensure_token()
        self.order_b._portal_ensure_token()
        missing = self.env["cc.work.order"].search([], order="id desc", limit=1).id + 1000
        self.authenticate("cc_portal_a", "cc_portal_a")
        for url in (
            f"/my/work_orders/{self.order_b.id}",
            f"/my/work_orders/{self.order_b.id}?access_token={token_a}",
            f"/my/work_orders/{self.order_b.id}?access_token=guess",
            f"/my/work_orders/{missing}",
            f"/my/service_records/{self.record_b.id}",
            f"/my/service_records/{self.record_b.id}?access_token={token_a}",
        ):
            with self.subTest(url=url):
                self.assertEqual(self._get(url).status_code, 404)
        self.assertEqual(self._get(f"/my/work_orders/{self.order_a.id}").status_code, 200)

    def test_the_orm_applies_the_same_rules(self):
        Order = self.env["cc.work.order"].with_user(self.customer_a)
        self.assertEqual(Order.search([]), self.order_a)
        with self.assertRaises(AccessError):
            Order.browse(self.order_b.id).read(["name"])
        with self.assertRaises(AccessError):
            Order.browse(self.order_a.id).write({"description": "mine"})
        Record = self.env["cc.service.record"].with_user(self.customer_b)
        self.assertEqual(Record.search([]), self.record_b)

    def test_access_token_link_without_account(self):
        self.order_b.with_user(self.dispatcher).action_cc_forward()
        url = self.order_b.get_portal_url()
        page = self._get(url)
        self.assertEqual(page.status_code, 200)
        self.assertIn(self.order_b.name, page.text)
        self.assertIn("Repair", page.text)
        self.assertEqual(self._get(f"/my/work_orders/{self.order_b.id}").status_code, 404)
        self.assertEqual(self._get(f"/my/work_orders/{self.order_b.id}?access_token=x").status_code, 404)
        self.assertEqual(self._get(self.record_b.get_portal_url()).status_code, 200)
        self.assertEqual(self._get("/my/work_orders").status_code, 303)

    def test_an_agent_shares_a_link_with_a_token(self):
        sharer = new_test_user(
            self.env, "cc_sharer", groups="callcenter_cti.group_cc_supervisor,base.group_partner_manager"
        )
        Share = self.env["portal.share"].with_user(sharer)
        share = Share.with_context(active_model="cc.service.record", active_id=self.record_b.id).create(
            {"partner_ids": [(6, 0, self.customer_b.partner_id.ids)]}
        )
        share.action_send_mail()
        page = self.url_open(share.share_link)
        self.assertEqual(page.status_code, 200)
        self.assertIn(self.record_b.name, page.text)
        self.assertIn("/my/service_records/", page.url)

    # Public lookup

    def test_creation_emails_a_code_stored_hashed(self):
        mail = self._lookup_mail(self.order_b)
        self.assertEqual(len(mail), 1)
        code = re.search(r"password:\s*<strong[^>]*>([A-Z0-9]{8})</strong>", mail.body_html).group(1)
        stored = self.order_b.sudo().cc_lookup_hash
        self.assertTrue(stored.startswith("pbkdf2_sha256$"))
        self.assertNotIn(code, stored)
        self.assertTrue(self.order_b._cc_check_lookup_code(code.lower()))
        self.assertFalse(self.order_b._cc_check_lookup_code("WRONG234"))
        with self.assertRaises(AccessError):
            self.order_b.with_user(self.supervisor_user).read(["cc_lookup_hash"])

    def test_lookup_with_the_right_password(self):
        self.order_b.with_user(self.dispatcher).action_cc_forward(note="On its way")
        response = self._lookup(f" {self.order_b.name.lower()} ", self._code(self.order_b))
        self.assertEqual(response.status_code, 200)
        for text in ("o_cc_lookup_result", "In Progress · Repair", "Dispatch", "On its way"):
            self.assertIn(text, response.text)
        attempt = self.env["cc.lookup.attempt"].search([], limit=1)
        self.assertEqual(
            (attempt.result, attempt.number, attempt.ip), ("success", self.order_b.name, "127.0.0.1")
        )
        self.assertEqual((attempt.res_model, attempt.res_id), ("cc.work.order", self.order_b.id))

    def test_lookup_of_a_phone_order(self):
        order = self.env["sale.order"].create({"partner_id": self.customer_a.partner_id.id})
        response = self._lookup(order.name, self._code(order))
        self.assertEqual(response.status_code, 200)
        self.assertIn("Quotation", response.text)
        self.assertIn("Order placed", response.text)

    def test_unknown_number_and_wrong_password_answer_the_same(self):
        self._code(self.order_b)
        wrong = self._lookup(self.order_b.name, "AAAA2222")
        unknown = self._lookup("WO0000000000", "AAAA2222")
        self.assertEqual(wrong.status_code, unknown.status_code)
        self.assertEqual(wrong.status_code, 200)

        def normalize(response, number):
            # CSRF tokens (the form's and the page script's) end with a timestamp: mask them
            return re.sub(r"[0-9a-f]{40}o[0-9]+", "TOKEN", response.text).replace(number, "NUMBER")

        self.assertEqual(normalize(wrong, self.order_b.name), normalize(unknown, "WO0000000000"))
        self.assertIn("o_cc_lookup_failure", wrong.text)
        self.assertNotIn("o_cc_lookup_result", wrong.text)

    def test_sixth_try_is_refused_even_with_the_right_password(self):
        code = self._code(self.order_b)
        for __ in range(5):
            self.assertIn("o_cc_lookup_failure", self._lookup(self.order_b.name, "AAAA2222").text)
        refused = self._lookup(self.order_b.name, code)
        self.assertEqual(refused.status_code, 429)
        self.assertNotIn("o_cc_lookup_result", refused.text)
        self.assertNotIn("Dispatch", refused.text)
        results = self.env["cc.lookup.attempt"].search([]).mapped("result")
        self.assertEqual(sorted(results), ["blocked"] + ["failure"] * 5)

    def test_failures_from_another_address_block_the_number(self):
        code = self._code(self.order_b)
        Attempt = self.env["cc.lookup.attempt"]
        for __ in range(5):
            self.assertEqual(Attempt._cc_lookup(self.order_b.name, "AAAA2222", "203.0.113.9")[0], "failure")
        self.assertEqual(self._lookup(self.order_b.name, code).status_code, 429)
        # another number from this address is still answered
        self.assertEqual(self._lookup(self.order_a.name, self._code(self.order_a)).status_code, 200)

    def test_failures_through_a_proxy_count_the_customer_address(self):
        """Behind a proxy (--proxy-mode), the forwarded address is the one counted and blocked."""
        self.patch(config, "options", collections.ChainMap({"proxy_mode": True}, config.options))
        code = self._code(self.order_b)
        forwarded = {"X-Forwarded-For": "203.0.113.9", "X-Forwarded-Host": "portal.example.com"}
        for __ in range(5):
            self.assertEqual(self._lookup(self.order_b.name, "AAAA2222", forwarded).status_code, 200)
        self.assertEqual(set(self.env["cc.lookup.attempt"].search([]).mapped("ip")), {"203.0.113.9"})
        # the number is blocked from any address, the address for any number
        self.assertEqual(self._lookup(self.order_b.name, code).status_code, 429)
        self.assertEqual(
            self._lookup(self.order_a.name, self._code(self.order_a), forwarded).status_code, 429
        )
        self.assertEqual(self._lookup(self.order_a.name, self._code(self.order_a)).status_code, 200)

    def test_failures_on_other_numbers_block_the_address(self):
        for number in range(5):
            self._lookup(f"WO{number}", "AAAA2222")
        self.assertEqual(self._lookup(self.order_b.name, self._code(self.order_b)).status_code, 429)

    def test_the_limit_lasts_fifteen_minutes(self):
        code = self._code(self.order_b)
        Attempt = self.env["cc.lookup.attempt"]
        start = fields.Datetime.now()
        with freeze_time(start):
            for __ in range(5):
                Attempt._cc_lookup(self.order_b.name, "AAAA2222", "203.0.113.9")
            self.assertEqual(Attempt._cc_lookup(self.order_b.name, code, "198.51.100.7")[0], "blocked")
        with freeze_time(start + timedelta(minutes=14)):
            self.assertEqual(Attempt._cc_lookup(self.order_b.name, code, "198.51.100.7")[0], "blocked")
        with freeze_time(start + timedelta(minutes=16)):
            result, document = Attempt._cc_lookup(self.order_b.name, code, "198.51.100.7")
        self.assertEqual((result, document), ("success", self.order_b))

    @mute_logger("odoo.http")
    def test_the_form_needs_its_csrf_token(self):
        response = self.url_open(
            "/callcenter/lookup", data={"number": self.order_b.name, "password": self._code(self.order_b)}
        )
        self.assertEqual(response.status_code, 400)
        self.assertFalse(self.env["cc.lookup.attempt"].search([]))

    def test_managers_read_the_audit_trail_agents_do_not(self):
        self.env["cc.lookup.attempt"]._cc_lookup("WO1", "AAAA2222", "203.0.113.9")
        self.assertEqual(len(self.env["cc.lookup.attempt"].with_user(self.manager_user).search([])), 1)
        with self.assertRaises(AccessError):
            self.env["cc.lookup.attempt"].with_user(self.supervisor_user).search([])
        with self.assertRaises(AccessError):
            self.env["cc.lookup.attempt"].with_user(self.manager_user).create({"result": "success"})
        views = self.env["cc.lookup.attempt"].with_user(self.manager_user).get_views([(False, "list")])
        self.assertIn('name="ip"', views["views"]["list"]["arch"])

    def test_agent_issues_a_new_password(self):
        form = self.env["cc.work.order"].with_user(self.dispatcher).get_views([(False, "form")])
        self.assertIn("action_cc_new_lookup_password", form["views"]["form"]["arch"])
        action = self.order_b.with_user(self.dispatcher).action_cc_new_lookup_password()
        code = re.search(r"([A-Z0-9]{8})$", action["params"]["message"]).group(1)
        self.assertTrue(self.order_b._cc_check_lookup_code(code))
        with self.assertRaises(AccessError):
            self.order_b.with_user(self.customer_b).action_cc_new_lookup_password()

    # Simplified Chinese

    def test_every_new_label_has_a_translation(self):
        with open(file_path("callcenter_crm/i18n/zh_CN.po", filter_ext=(".po",)), "rb") as po:
            catalog = {entry["src"]: entry["value"] for entry in PoFileReader(po)}
        labels = set()
        Attempt = self.env["cc.lookup.attempt"]
        for field in Attempt._fields.values():
            labels |= {field.string} | {label for __, label in getattr(field, "selection", None) or []}
        for model in ("cc.work.order", "cc.service.record", "sale.order"):
            for name in ("cc_lookup_hash", "access_url", "access_token", "access_warning"):
                field = self.env[model]._fields.get(name)
                labels |= {field.string, field.help} - {None} if field else set()
        for xmlid in PORTAL_VIEWS:
            view = self.env.ref(f"callcenter_crm.{xmlid}")
            labels |= set(view._fields["arch_db"].get_trans_terms(view.arch_db))
        for xmlid in ("cc_work_order_mail_template_lookup", "sale_order_mail_template_lookup"):
            template = self.env.ref(f"callcenter_crm.{xmlid}")
            labels |= {template.subject, template.name, template.description}
            labels |= set(template._fields["body_html"].get_trans_terms(template.body_html))
        for xmlid in (
            "cc_lookup_attempt_action",
            "cc_work_order_action_share",
            "cc_service_record_action_share",
        ):
            action = self.env.ref(f"callcenter_crm.{xmlid}")
            labels |= {action.name} | set(action._fields["help"].get_trans_terms(action.help or ""))
        labels |= {"Order placed", "New lookup password", "Lookup password of %(name)s: %(code)s", "Newest"}
        # terms without a letter (the brackets around a state) are not exported
        labels = {label for label in labels if label and any(char.isalpha() for char in label)}
        self.assertFalse({label for label in labels if not catalog.get(label)})

    def test_pages_in_chinese(self):
        self.env["res.lang"]._activate_lang("zh_CN")
        self.env["ir.module.module"].search([("name", "=", "callcenter_crm")])._update_translations(["zh_CN"])
        self.customer_a.lang = "zh_CN"
        self.authenticate("cc_portal_a", "cc_portal_a")
        page = self.url_open(f"/my/work_orders/{self.order_a.id}")
        for chinese in ("工单", "处理过程", "当前环节", "创建时间"):
            self.assertIn(chinese, page.text)
        self.assertIn("业务记录编号", self.url_open("/my/service_records").text)
        self.logout()
        lookup = self.url_open("/zh_CN/callcenter/lookup")
        for chinese in ("查询密码", "查询状态"):
            self.assertIn(chinese, lookup.text)
        self.customer_b.partner_id.lang = "zh_CN"
        order = self._new_order(self.record_b)
        mail = self._lookup_mail(order)
        self.assertIn("查询密码", mail.subject)
