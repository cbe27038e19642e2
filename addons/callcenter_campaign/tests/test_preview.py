"""Preview dialing: agents take batches (never the same target twice, even at the same instant), dial with
one key through click-to-dial (the call links back to the target), record results, move on."""

import json
import threading

from odoo import SUPERUSER_ID, api, sql_db
from odoo.exceptions import UserError
from odoo.modules.registry import Registry
from odoo.orm.environments import Transaction
from odoo.tests import BaseCase, Form, tagged
from odoo.tests.common import get_db_name

from odoo.addons.callcenter_cti.tests.common import replay_into

from .common import CampaignCase


@tagged("post_install", "-at_install")
class TestPreview(CampaignCase):
    def setUp(self):
        super().setUp()
        self.targets = self.add_targets(5)
        self.campaign.action_start()
        self.connect()

    def as_agent(self, extension, records):
        return records.with_user(self.users[extension])

    def test_batches_of_two_agents_never_overlap(self):
        Target = self.env["cc.campaign.target"]
        first = Target._cc_claim(self.campaign, 2, self.agents["8001"])
        second = Target._cc_claim(self.campaign, 2, self.agents["8002"])
        self.assertEqual((len(first), len(second)), (2, 2))
        self.assertFalse(first & second)
        self.assertEqual(set(first.mapped("state")), {"claimed"})
        self.assertEqual(first.agent_id, self.agents["8001"])
        self.assertEqual(len(Target._cc_claim(self.campaign, 5, self.agents["8001"])), 1)

    def test_targets_assigned_to_another_agent_are_not_taken(self):
        self.targets.agent_id = self.agents["8002"]
        self.assertFalse(self.env["cc.campaign.target"]._cc_claim(self.campaign, 5, self.agents["8001"]))

    def test_dial_with_one_key_links_the_call_back(self):
        action = self.as_agent("8001", self.campaign).action_take_batch()
        target = self.env["cc.campaign.target"].browse(action["res_id"])
        self.assertEqual((target.state, target.agent_id), ("claimed", self.agents["8001"]))
        self.as_agent("8001", target).action_dial()
        command = self.env["cc.cti.command"].search([("kind", "=", "dial")])
        [originate] = json.loads(command.actions)
        self.assertEqual((originate["Context"], originate["Exten"]), ("click2dial", target.number_e164))
        self.assertEqual((command.res_model, command.res_id), ("cc.campaign.target", target.id))
        self.assertEqual((target.state, target.attempt_count), ("dialing", 1))
        self.assertEqual(target.attempt_ids.linkedid, command.linkedid)

    def test_the_call_of_transcript_g_joins_its_attempt(self):
        target = self.env["cc.campaign.target"]._cc_claim(self.campaign, 1, self.agents["8001"])
        command = self.env["cc.cti.command"]._cc_enqueue(
            self.server, "dial", [{}], agent=self.agents["8001"], linkedid="c2d-0001-agent",
            res_model="cc.campaign.target", res_id=target.id,
        )  # fmt: skip
        attempt = target._cc_start_attempt(self.agents["8001"], command.linkedid, "agent", command)
        [call] = replay_into(self.env, self.server, ["g-click-to-dial.ami"])
        self.assertEqual((call.res_model, call.res_id), ("cc.campaign.target", target.id))
        self.assertEqual(attempt.call_id, call)
        self.assertEqual(attempt.talk_s, call.talk_s)
        self.assertGreater(attempt.talk_s, 0)

    def test_result_then_auto_next(self):
        action = self.as_agent("8001", self.campaign).action_take_batch()
        target = self.env["cc.campaign.target"].browse(action["res_id"])
        self.as_agent("8001", target).action_dial()
        wizard = self.as_agent("8001", self.env["cc.campaign.result"]).create(
            {
                "target_id": target.id,
                "call_result_id": self.outcome("answered").id,
                "marketing_result_id": self.outcome("deal").id,
                "note": "Signed",
            }
        )
        next_action = wizard.action_save()
        self.assertEqual((target.state, target.marketing_result_id.code), ("done", "deal"))
        self.assertTrue(target.attempt_ids.is_success)
        self.assertNotEqual(next_action["res_id"], target.id)
        self.assertEqual(self.env["cc.campaign.target"].browse(next_action["res_id"]).state, "claimed")

    def test_result_form_asks_a_date_for_call_back_and_no_marketing_result_without_contact(self):
        target = self.env["cc.campaign.target"]._cc_claim(self.campaign, 1, self.agents["8001"])
        wizard = self.as_agent("8001", self.env["cc.campaign.result"]).with_context(
            default_target_id=target.id
        )
        form = Form(wizard)
        form.call_result_id = self.outcome("answered")
        form.marketing_result_id = self.outcome("call_back")
        self.assertTrue(form.needs_date)
        form.call_result_id = self.outcome("powered_off")
        self.assertFalse(form.marketing_result_id)
        form.auto_next = False
        form.save().action_save()
        self.assertEqual((target.state, target.call_result_id.code), ("pending", "powered_off"))
        self.assertTrue(target.next_attempt_at)

    def test_do_not_call_is_checked_at_every_dial(self):
        target = self.env["cc.campaign.target"]._cc_claim(self.campaign, 1, self.agents["8001"])
        self.env["cc.blacklist"].create({"number": target.number_e164, "direction": "outbound"})
        with self.assertRaisesRegex(UserError, "do-not-call"):
            self.as_agent("8001", target).action_dial()
        self.assertFalse(self.env["cc.cti.command"].search([("kind", "=", "dial")]))

    def test_no_dial_outside_the_calling_window(self):
        target = self.env["cc.campaign.target"]._cc_claim(self.campaign, 1, self.agents["8001"])
        self.campaign.action_pause()
        with self.assertRaisesRegex(UserError, "not calling now"):
            self.as_agent("8001", target).action_dial()


@tagged("post_install", "-at_install")
class TestConcurrentClaims(BaseCase):
    """Real concurrent transactions (own database connections): SKIP LOCKED gives them disjoint rows."""

    def setUp(self):
        super().setUp()
        self.dbname = get_db_name()
        self.registry = Registry(self.dbname)  # looked up here: other threads would wait on its lock
        with self.fresh_env() as env:
            env["cc.campaign"].search([("code", "=", "race-claims")]).unlink()  # left by a killed run
            campaign = env["cc.campaign"].create({"name": "Race", "code": "race-claims", "state": "running"})
            env["cc.campaign.target"].create(
                [
                    {
                        "campaign_id": campaign.id,
                        "name": f"T{i}",
                        "number_e164": f"+1555999{i:04d}",
                        "number": "x",
                    }
                    for i in range(40)
                ]
            )
            self.campaign_id = campaign.id
        self.addCleanup(self.drop_campaign)

    def fresh_env(self):
        return _Env(self.registry)

    def drop_campaign(self):
        with self.fresh_env() as env:
            env["cc.campaign"].browse(self.campaign_id).target_ids.partner_id.unlink()
            env["cc.campaign"].browse(self.campaign_id).unlink()

    def claim(self, env, count, apart=True):
        campaign = env["cc.campaign"].browse(self.campaign_id)
        return set(env["cc.campaign.target"]._cc_claim(campaign, count, apart=apart).ids)

    def test_two_open_transactions_get_different_targets(self):
        with self.fresh_env() as first, self.fresh_env() as second:
            mine = self.claim(first, 5, apart=False)  # not committed: its rows stay locked
            theirs = self.claim(second, 5, apart=False)  # does not wait, skips them
        self.assertEqual((len(mine), len(theirs)), (5, 5))
        self.assertFalse(mine & theirs)

    def test_many_threads_never_share_a_target(self):
        claimed, barrier = [], threading.Barrier(8, timeout=30)

        def worker():
            with self.fresh_env() as env:
                barrier.wait()
                while batch := self.claim(env, 2):  # each claim its own transaction
                    claimed.append(batch)

        threads = [threading.Thread(target=worker) for _ in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        every = [target for batch in claimed for target in batch]
        self.assertEqual(len(every), 40)
        self.assertEqual(len(set(every)), 40)


class _Env:
    """An environment on its own database connection, committed on exit (a second Odoo worker)."""

    def __init__(self, registry):
        self.cr = sql_db.db_connect(registry.db_name).cursor()
        self.cr.transaction = Transaction(registry)

    def __enter__(self):
        return api.Environment(self.cr, SUPERUSER_ID, {})

    def __exit__(self, exc_type, *_args):
        try:
            if exc_type:
                self.cr.rollback()
            else:
                self.cr.commit()  # pylint: disable=invalid-commit
        finally:
            self.cr.close()
