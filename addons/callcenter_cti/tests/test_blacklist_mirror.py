"""The AstDB blacklist mirror: the dialplan rejects a blacklisted caller from Asterisk's own database, in
every form a carrier delivers the number, and the bridge keeps that copy equal to Odoo's list."""

from odoo.tests import BaseCase

from ..service import astdb


class TestBlacklistMirror(BaseCase):
    def test_every_form_a_carrier_delivers(self):
        self.assertEqual(
            astdb.caller_keys("+8613800138000"),
            {"+8613800138000", "8613800138000", "008613800138000", "13800138000", "013800138000"},
        )
        self.assertIn("02388886666", astdb.caller_keys("+862388886666"))  # a landline with its trunk prefix
        self.assertIn("15550666666", astdb.caller_keys("+15550666666"))  # as in transcript l

    def test_first_sync_starts_from_scratch_then_only_differences(self):
        first = astdb.plan(None, {"13800138000": "fraud"})
        self.assertEqual(
            first,
            [{"Action": "DBDelTree", "Family": "blacklist"},
             {"Action": "DBPut", "Family": "blacklist", "Key": "13800138000", "Val": "fraud"}],
        )  # fmt: skip
        self.assertEqual(astdb.plan({"13800138000": "fraud"}, {"13800138000": "fraud"}), [])
        later = astdb.plan({"13800138000": "fraud", "111": "x"}, {"13800138000": "abuse"})
        self.assertEqual(
            later,
            [{"Action": "DBPut", "Family": "blacklist", "Key": "13800138000", "Val": "abuse"},
             {"Action": "DBDel", "Family": "blacklist", "Key": "111"}],
        )  # fmt: skip
