"""The routing snapshot built from real records, and the FastAGI service answering from it over TCP."""

import asyncio
import concurrent.futures
import datetime

from odoo import fields
from odoo.exceptions import AccessError
from odoo.tests import TransactionCase, new_test_user, tagged

from ..cti import agi_routing
from ..cti.agi_client import agi_request
from ..service import agi

UTC = datetime.UTC


def next_monday(hour):
    today = datetime.datetime.now(UTC).replace(minute=0, second=0, microsecond=0)
    return (today + datetime.timedelta(days=7 - today.weekday())).replace(hour=hour)


@tagged("post_install", "-at_install")
class TestAgiDirectory(TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        env = cls.env
        env.company.country_id = env.ref("base.cn")  # blacklist numbers are read in the company's country
        cls.server = env["cc.pbx.server"].create(
            {"name": "Routing test PBX", "country_id": env.ref("base.cn").id, "agi_host": "127.0.0.1"}
        )
        cls.queue = env["cc.queue"].create({"name": "Sales", "ami_name": "sales", "server_id": cls.server.id})
        Agent = env["cc.agent"]
        cls.ready = Agent.create({"name": "Ready", "extension": "8101", "server_id": cls.server.id})
        cls.busy = Agent.create(
            {"name": "Busy", "extension": "8102", "interface": "PJSIP/8102", "server_id": cls.server.id}
        )
        cls.ready.state = "ready"
        cls.busy.state = "on_call"
        cls.calendar = env["resource.calendar"].create(
            {
                "name": "Hotline 9-18 UTC",
                "tz": "UTC",
                "attendance_ids": [
                    (0, 0, {"name": str(day), "dayofweek": str(day), "hour_from": 9, "hour_to": 18})
                    for day in range(5)
                ],
            }
        )
        tuesday = next_monday(0) + datetime.timedelta(days=1)
        env["resource.calendar.leaves"].create(
            {
                "name": "Public holiday",
                "calendar_id": cls.calendar.id,
                "date_from": tuesday.replace(tzinfo=None),
                "date_to": (tuesday + datetime.timedelta(hours=23, minutes=59)).replace(tzinfo=None),
            }
        )
        cls.did = env["cc.did"].create(
            {
                "name": "Sales hotline",
                "number": "400-800-1234",
                "server_id": cls.server.id,
                "queue_id": cls.queue.id,
                "resource_calendar_id": cls.calendar.id,
                "welcome_prompt": "custom/sales",
                "survey": False,
                "announce_agent": True,
                "max_wait": 90,
                "overflow": "voicemail",
                "mailbox": "300@default",
                "last_agent_days": 7,
            }
        )
        Blacklist = env["cc.blacklist"]
        now = fields.Datetime.now()
        Blacklist.create({"number": "135 0013 5000", "reason": "abuse"})
        Blacklist.create({"number": "13600136000", "expiry_date": now - datetime.timedelta(hours=1)})
        Blacklist.create({"number": "13600136001", "expiry_date": now + datetime.timedelta(days=1)})
        Blacklist.create({"number": "13600136002", "direction": "outbound"})
        Blacklist.create({"number": "13600136003", "active": False})
        Call = env["cc.call"]
        for linkedid, number, agent, days, disposition in (
            ("t.1", "+8613700137000", cls.busy, 1, "answered"),
            ("t.2", "+8613700137000", cls.ready, 2, "answered"),  # older: not the last
            ("t.3", "+8613700137001", cls.ready, 2, "answered"),
            ("t.4", "+8613700137001", cls.busy, 1, "abandoned"),  # not answered: ignored
            ("t.5", "+8613700137002", cls.ready, 20, "answered"),  # outside the 7 days
        ):
            Call.create(
                {
                    "server_id": cls.server.id,
                    "linkedid": linkedid,
                    "customer_e164": number,
                    "agent_id": agent.id,
                    "disposition": disposition,
                    "start": now - datetime.timedelta(days=days),
                }
            )

    def build(self, now=None):
        loader = agi.DirectoryLoader(self.registry, self.server.id)
        return loader, loader.build(self.env, now=now)

    def route(self, caller, now, did="4008001234", directory=None):
        directory = directory or self.build(now)[1]
        return agi_routing.decide({"agi_arg_1": did, "agi_arg_2": caller}, directory, now)

    def test_did_number_is_normalised(self):
        self.assertEqual(self.did.number, "+864008001234")
        self.did.number = "(0086) 400 800 1234"
        self.assertEqual(self.did.number, "+864008001234")
        short = self.env["cc.did"].create(
            {"name": "Internal", "number": " 5001 ", "server_id": self.server.id}
        )
        self.assertEqual(short.number, "5001")

    def test_snapshot(self):
        _loader, directory = self.build(next_monday(10))
        self.assertEqual(directory.country, "CN")
        self.assertEqual(set(directory.dids), {"+864008001234"})
        self.assertEqual(directory.agents["8101"].interface, "PJSIP/8101")
        self.assertTrue(directory.agents["8101"].available)
        self.assertFalse(directory.agents["8102"].available)
        self.assertEqual(
            set(directory.blacklist),
            {"+8613500135000", "+8613600136001"},
            "expired, outbound-only and archived entries are not loaded",
        )
        self.assertEqual(directory.blacklist["+8613500135000"].note, "abuse")

    def test_decisions(self):
        monday = next_monday(10)
        result = self.route("13700137001", monday)
        self.assertEqual(result["CC_OPEN"], "1")
        self.assertEqual(result["CC_QUEUE"], "sales")
        self.assertEqual(result["CC_WELCOME"], "custom/sales")
        self.assertEqual(result["CC_SURVEY"], "0")
        self.assertEqual((result["CC_RECORD"], result["CC_ANNOUNCE"]), ("1", "1"))  # recorded by default
        self.assertEqual(result["CC_MAXWAIT"], "90")
        self.assertEqual(result["CC_MAILBOX"], "300@default")
        self.assertEqual(result["CC_TARGET_AGENT"], "PJSIP/8101", "last answering agent, ready")
        self.assertEqual(self.route("13700137000", monday)["CC_TARGET_AGENT"], "", "last agent is on a call")
        self.assertEqual(self.route("13700137002", monday)["CC_TARGET_AGENT"], "", "served too long ago")
        self.assertEqual(self.route("13500135000", monday)["CC_BLACKLISTED"], "1")
        self.assertEqual(self.route("13600136000", monday)["CC_BLACKLISTED"], "0")

    def test_working_hours_and_holiday(self):
        self.assertEqual(self.route("13700137001", next_monday(20))["CC_OPEN"], "0")
        self.assertEqual(
            self.route("13700137001", next_monday(10) + datetime.timedelta(days=1))["CC_OPEN"], "0"
        )
        self.assertEqual(
            self.route("13700137001", next_monday(10) + datetime.timedelta(days=2))["CC_OPEN"], "1"
        )

    def test_refresh_is_incremental(self):
        loader, first = self.build()
        blacklist = loader.blacklist
        loader.last_loaded = self.env.cr.now()
        self.env["cc.call"].create(
            {
                "server_id": self.server.id,
                "linkedid": "t.6",
                "customer_e164": "+8613700137009",
                "agent_id": self.ready.id,
                "disposition": "answered",
                "start": fields.Datetime.now(),
            }
        )
        second = loader.build(self.env)
        self.assertIs(loader.blacklist, blacklist, "unchanged blacklist: not reloaded")
        since = datetime.datetime.now(UTC) - datetime.timedelta(days=1)
        self.assertEqual(second.last_agent("+8613700137009", since), "8101")
        self.assertIsNone(first.last_agent("+8613700137009", since), "a published snapshot never changes")
        self.env["cc.blacklist"].create({"number": "13900139000"})
        self.assertIn("+8613900139000", loader.build(self.env).blacklist)

    def test_last_agent_per_customer(self):
        since = fields.Datetime.now() - datetime.timedelta(days=7)
        self.assertEqual(self.env["cc.call"]._cc_last_agent("+8613700137000", since), self.busy)
        self.assertFalse(self.env["cc.call"]._cc_last_agent("+8613700137002", since))

    def test_routing_profile_default(self):
        profile = self.env["res.partner"]._cc_routing_profile("+8613700137000")
        self.assertEqual(profile, {"vip": False, "priority": None, "owner_agent_extension": None})

    def test_blacklist_helpers_and_access(self):
        Blacklist = self.env["cc.blacklist"]
        self.assertTrue(Blacklist._cc_is_blacklisted("+8613600136002", "outbound"))
        self.assertFalse(Blacklist._cc_is_blacklisted("+8613600136002", "inbound"))
        self.assertFalse(Blacklist._cc_is_blacklisted("+8613600136000", "inbound"), "expired")
        agent = new_test_user(self.env, "agi_agent", groups="callcenter_cti.group_cc_agent")
        supervisor = new_test_user(self.env, "agi_sup", groups="callcenter_cti.group_cc_supervisor")
        with self.assertRaises(AccessError):
            Blacklist.with_user(agent).search([])
        self.assertTrue(Blacklist.with_user(supervisor).search([]))
        with self.assertRaises(AccessError):
            Blacklist.with_user(supervisor).create({"number": "13100131000"})
        self.assertTrue(Blacklist.with_user(agent)._cc_is_blacklisted("+8613600136002"))

    def test_blacklist_other_company(self):
        other = self.env["res.company"].create({"name": "Other call center"})
        self.env["cc.blacklist"].create({"number": "13100131000", "company_id": other.id})
        _loader, directory = self.build()
        self.assertNotIn("+8613100131000", directory.blacklist)

    def test_service_answers_over_tcp(self):
        """AgiService: listens on the server's address, refreshes its snapshot in the db thread, answers."""
        monday = next_monday(10)
        _loader, directory = self.build(monday)
        server = {"id": self.server.id, "name": "test", "agi_host": "127.0.0.1", "agi_port": 0}
        executor = concurrent.futures.ThreadPoolExecutor(max_workers=1)
        self.addCleanup(executor.shutdown)

        async def scenario():
            service = agi.AgiService(self.registry, server, executor, refresh_interval=0.05)
            service.loader.load = lambda: directory
            running = asyncio.create_task(service.run())
            for _ in range(100):
                if service.directory is not None:
                    break
                await asyncio.sleep(0.01)
            service.app.clock = lambda: monday
            try:
                return await agi_request(service.port, "4008001234", "13700137001")
            finally:
                service.stop()
                await asyncio.wait_for(running, 5)

        variables = asyncio.run(scenario())
        self.assertEqual(variables["CC_QUEUE"], "sales")
        self.assertEqual(variables["CC_TARGET_AGENT"], "PJSIP/8101")
