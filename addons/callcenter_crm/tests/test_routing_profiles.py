from odoo.tests import tagged

from .common import CallCenterCrmCase


@tagged("post_install", "-at_install")
class TestRoutingProfiles(CallCenterCrmCase):
    def test_snapshot_has_every_number_of_vip_and_owned_customers(self):
        profiles = self.Partner._cc_routing_profiles()
        expected = {"vip": True, "priority": 6, "owner_agent_extension": "8901"}
        self.assertEqual(profiles["+8613922239222"], expected)
        self.assertNotIn("+8613811138111", profiles, "a plain customer keeps the default profile")

    def test_profile_of_one_caller_and_numbers_filter(self):
        self.zhang.cc_vip_level = "platinum"
        profile = self.Partner._cc_routing_profile("+862388886611")
        self.assertEqual(profile, {"vip": True, "priority": 9, "owner_agent_extension": None})
        self.assertEqual(set(self.Partner._cc_routing_profiles(["+8613811138111"])), {"+8613811138111"})
        self.assertEqual(self.Partner._cc_routing_profiles([]), {})

    def test_owner_without_vip_and_archived_agent(self):
        self.zhang.cc_owner_agent_id = self.agent
        profile = self.Partner._cc_routing_profile("+8613811138111")
        self.assertEqual(profile, {"vip": False, "priority": None, "owner_agent_extension": "8901"})
        self.agent.active = False
        self.assertIsNone(self.Partner._cc_routing_profile("+8613811138111")["owner_agent_extension"])

    def test_one_query(self):
        self.env.flush_all()
        with self.assertQueryCount(1):
            self.Partner._cc_routing_profiles()
