"""The routing decision of the FastAGI ``route`` request (pure: no database, no network)."""

import datetime

from odoo.tests import BaseCase

from ..cti import agi_routing as ar

UTC = datetime.UTC
NOW = datetime.datetime(2026, 3, 2, 10, 0, tzinfo=UTC)  # a Monday, 10:00 UTC
VIP = "+8613800138000"
OWNED = "+8613900139000"
REGULAR = "+8613700137000"


def request(did="4008001234", caller="13800138000", **extra):
    headers = {"agi_network_script": "route", "agi_arg_1": did, "agi_arg_2": caller}
    headers.update(extra)
    return headers


def office_hours(start_hour=9, end_hour=18):
    """Mondays-Fridays of the week of NOW, start-end UTC; the Tuesday is a holiday."""
    monday = NOW.replace(hour=0)
    days = [monday + datetime.timedelta(days=d) for d in range(5) if d != 1]
    intervals = tuple(
        (day.replace(hour=start_hour), day.replace(hour=end_hour)) for day in days
    )  # fmt: skip
    return ar.Schedule(intervals, monday - datetime.timedelta(days=1), monday + datetime.timedelta(days=7))


def make_directory(**overrides):
    agents = {
        "8001": ar.Agent("8001", "PJSIP/8001", "Li Na", True),
        "8002": ar.Agent("8002", "PJSIP/8002", "Wang Wei", False),
        "8003": ar.Agent("8003", "PJSIP/8003", "Zhang Min", True),
    }
    profiles = {
        VIP: {"vip": True, "owner_agent_extension": None},
        OWNED: {"vip": False, "owner_agent_extension": "8001"},
    }
    last = {REGULAR: ("8003", NOW - datetime.timedelta(days=3)), OWNED: ("8003", NOW)}

    def last_agent(e164, since):
        extension, at = last.get(e164, (None, None))
        return extension if at and at >= since else None

    values = {
        "country": "CN",
        "dids": {
            ar.did_key("4008001234"): ar.DidConfig(
                number="+864008001234",
                queue="sales",
                welcome="custom/welcome-sales",
                language="zh",
                ivr_menu="none",
                ivr_prompt="custom/menu",
                survey=False,
                max_wait=120,
                overflow="support",
                mailbox="200@default",
                moh="jazz",
                last_agent_days=7,
                is_open=office_hours().is_open,
            ),
            "5000": ar.DidConfig(number="5000", queue="support", survey=True, record=True, announce=False),
        },
        "blacklist": {
            "+8613500135000": ar.BlacklistEntry("abusive caller"),
            "+8613600136000": ar.BlacklistEntry("expired", NOW - datetime.timedelta(seconds=1)),
            "+8613600136001": ar.BlacklistEntry("until tomorrow", NOW + datetime.timedelta(days=1)),
        },
        "agents": agents,
        "profile": lambda e164: profiles.get(e164, {}),
        "last_agent": last_agent,
    }
    values.update(overrides)
    return ar.Directory(**values)


class TestDecide(BaseCase):
    def decide(self, req=None, directory="default", now=NOW):
        directory = make_directory() if directory == "default" else directory
        result = ar.decide(req or request(), directory, now)
        self.assertEqual(tuple(result), ar.VARIABLES, "every contract variable is answered, in order")
        return result

    def test_defaults_without_directory(self):
        self.assertEqual(self.decide(directory=None), ar.SAFE_DEFAULTS)
        self.assertEqual(ar.SAFE_DEFAULTS["CC_OPEN"], "1")
        self.assertEqual(ar.SAFE_DEFAULTS["CC_BLACKLISTED"], "0")

    def test_did_settings(self):
        result = self.decide(request(caller="13100131000"))
        self.assertEqual(result["CC_OPEN"], "1")
        self.assertEqual(result["CC_QUEUE"], "sales")
        self.assertEqual(result["CC_WELCOME"], "custom/welcome-sales")
        self.assertEqual(result["CC_LANGUAGE"], "zh")
        self.assertEqual(result["CC_IVR_MENU"], "none")
        self.assertEqual(result["CC_IVR_PROMPT"], "custom/menu")
        self.assertEqual(result["CC_SURVEY"], "0")
        self.assertEqual(result["CC_MAXWAIT"], "120")
        self.assertEqual(result["CC_OVERFLOW"], "support")
        self.assertEqual(result["CC_MAILBOX"], "200@default")
        self.assertEqual(result["CC_MOH"], "jazz")
        self.assertEqual(result["CC_TARGET_AGENT"], "")
        self.assertEqual(result["CC_VIP"], "0")

    def test_did_formats(self):
        """The carrier's national format, with country code, with '+' all find the same DID."""
        for did in ("4008001234", "864008001234", "+864008001234", " 400-800-1234 "):
            self.assertEqual(self.decide(request(did=did))["CC_QUEUE"], "sales", did)

    def test_short_did_and_survey_on(self):
        result = self.decide(request(did="5000"))
        self.assertEqual(result["CC_QUEUE"], "support")
        self.assertEqual(result["CC_SURVEY"], "1")
        self.assertEqual((result["CC_RECORD"], result["CC_ANNOUNCE"]), ("1", "0"))
        self.assertEqual(result["CC_WELCOME"], "", "no prompt configured: the dialplan's WELCOME_PROMPT")

    def test_unknown_did_defaults(self):
        result = self.decide(request(did="02112345678", caller="13100131000"))
        self.assertEqual(result, ar.SAFE_DEFAULTS)

    def test_blacklist(self):
        result = self.decide(request(caller="13500135000"))
        self.assertEqual(result["CC_BLACKLISTED"], "1")
        self.assertEqual(result["CC_BLACKLIST_NOTE"], "abusive caller")
        self.assertEqual(result["CC_QUEUE"], "", "a rejected call needs nothing else")
        for caller in ("+8613500135000", "8613500135000", "0086 135 0013 5000"):
            self.assertEqual(self.decide(request(caller=caller))["CC_BLACKLISTED"], "1", caller)

    def test_blacklist_expiry(self):
        self.assertEqual(self.decide(request(caller="13600136000"))["CC_BLACKLISTED"], "0")
        self.assertEqual(self.decide(request(caller="13600136001"))["CC_BLACKLISTED"], "1")
        later = NOW + datetime.timedelta(days=2)
        self.assertEqual(self.decide(request(caller="13600136001"), now=later)["CC_BLACKLISTED"], "0")

    def test_blacklist_applies_on_unknown_did(self):
        self.assertEqual(self.decide(request(did="999", caller="13500135000"))["CC_BLACKLISTED"], "1")

    def test_blacklist_raw_number(self):
        """Numbers without an E.164 form (short codes) are matched on their digits."""
        directory = make_directory(blacklist={"12345": ar.BlacklistEntry("short")})
        self.assertEqual(self.decide(request(caller="12345"), directory)["CC_BLACKLISTED"], "1")

    def test_after_hours(self):
        evening = NOW.replace(hour=19)
        result = self.decide(request(caller=VIP), now=evening)
        self.assertEqual(result["CC_OPEN"], "0")
        self.assertEqual(result["CC_MAILBOX"], "200@default")
        self.assertEqual(result["CC_TARGET_AGENT"], "", "closed: nobody is rung")

    def test_holiday(self):
        tuesday = NOW + datetime.timedelta(days=1)
        self.assertEqual(self.decide(now=tuesday)["CC_OPEN"], "0")
        self.assertEqual(self.decide(now=tuesday + datetime.timedelta(days=1))["CC_OPEN"], "1")

    def test_stale_schedule_is_open(self):
        """A snapshot far older than its precomputed window says nothing: open (the safe side)."""
        self.assertEqual(self.decide(now=NOW + datetime.timedelta(days=30))["CC_OPEN"], "1")
        self.assertTrue(ar.Schedule().is_open(NOW))

    def test_vip(self):
        result = self.decide(request(caller=VIP))
        self.assertEqual(result["CC_VIP"], "1")
        self.assertEqual(result["CC_PRIORITY"], "", "the dialplan's VIP_PRIORITY")
        directory = make_directory(profile=lambda e164: {"vip": True, "priority": 7})
        self.assertEqual(self.decide(request(caller=VIP), directory)["CC_PRIORITY"], "7")
        directory = make_directory(profile=lambda e164: {"vip": True, "priority": "7; DROP"})
        self.assertEqual(self.decide(request(caller=VIP), directory)["CC_PRIORITY"], "")

    def test_owner_agent_first(self):
        result = self.decide(request(caller=OWNED))
        self.assertEqual(result["CC_TARGET_AGENT"], "PJSIP/8001", "the owner wins over the last agent")
        self.assertEqual(result["CC_TARGET_NAME"], "Li Na")

    def test_owner_busy_falls_back_to_last_agent(self):
        directory = make_directory(profile=lambda e164: {"owner_agent_extension": "8002"})
        self.assertEqual(self.decide(request(caller=OWNED), directory)["CC_TARGET_AGENT"], "PJSIP/8003")

    def test_owner_busy_no_last_agent_goes_to_queue(self):
        directory = make_directory(
            profile=lambda e164: {"owner_agent_extension": "8002"}, last_agent=lambda e164, since: None
        )
        result = self.decide(request(caller=OWNED), directory)
        self.assertEqual(result["CC_TARGET_AGENT"], "")
        self.assertEqual(result["CC_QUEUE"], "sales")

    def test_unknown_owner_extension(self):
        directory = make_directory(profile=lambda e164: {"owner_agent_extension": "9999"})
        self.assertEqual(self.decide(request(caller="13100131000"), directory)["CC_TARGET_AGENT"], "")

    def test_last_agent(self):
        self.assertEqual(self.decide(request(caller=REGULAR))["CC_TARGET_AGENT"], "PJSIP/8003")

    def test_last_agent_too_old(self):
        later = NOW + datetime.timedelta(days=5)  # served 8 days before, the DID looks 7 days back
        self.assertEqual(self.decide(request(caller=REGULAR), now=later)["CC_TARGET_AGENT"], "")

    def test_last_agent_off(self):
        """DID 5000 does not route to the last agent (last_agent_days = 0), nor does an unknown DID."""
        self.assertEqual(self.decide(request(did="5000", caller=REGULAR))["CC_TARGET_AGENT"], "")
        self.assertEqual(self.decide(request(did="777", caller=REGULAR))["CC_TARGET_AGENT"], "")

    def test_last_agent_not_free(self):
        directory = make_directory(last_agent=lambda e164, since: "8002")
        self.assertEqual(self.decide(request(caller=REGULAR), directory)["CC_TARGET_AGENT"], "")

    def test_bad_caller_numbers(self):
        for caller in ("", "anonymous", "Restricted", "<unknown>", "abc", "12", "+", "8001", "\x00\n;"):
            result = self.decide(request(caller=caller))
            self.assertEqual(result["CC_BLACKLISTED"], "0", repr(caller))
            self.assertEqual(result["CC_QUEUE"], "sales", "the DID's settings still apply")
            self.assertEqual(result["CC_TARGET_AGENT"], "")
            self.assertEqual(result["CC_VIP"], "0")

    def test_missing_arguments(self):
        self.assertEqual(self.decide({"agi_network_script": "route"}), ar.SAFE_DEFAULTS)
        result = self.decide({"agi_arg_1": "4008001234", "agi_callerid": VIP})
        self.assertEqual(result["CC_VIP"], "1", "agi_callerid when agi_arg_2 is missing")

    def test_failing_lookups_keep_the_rest(self):
        def broken(*args):
            raise RuntimeError("lookup down")

        directory = make_directory(profile=broken, last_agent=broken)
        with self.assertLogs("odoo.addons.callcenter_cti.cti.agi_routing", "ERROR"):
            result = self.decide(request(caller=REGULAR), directory)
        self.assertEqual(result["CC_QUEUE"], "sales")
        self.assertEqual(result["CC_TARGET_AGENT"], "")

    def test_profile_returning_none(self):
        directory = make_directory(profile=lambda e164: None)
        self.assertEqual(self.decide(request(caller=REGULAR), directory)["CC_TARGET_AGENT"], "PJSIP/8003")

    def test_quote(self):
        self.assertEqual(ar.quote("plain"), '"plain"')
        self.assertEqual(ar.quote('say "hi"\\'), '"say \\"hi\\"\\\\"')
        self.assertEqual(ar.quote("two\r\nlines"), '"two  lines"')
        self.assertEqual(ar.quote(""), '""')
