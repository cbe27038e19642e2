"""Two phone orders redeem one code at the same moment, each in its own transaction: only one wins.

The data is committed through separate cursors (the test's own transaction would hide it from them) and
removed at the end."""

import threading
import uuid

import psycopg2.errors

from odoo import Command, api
from odoo.exceptions import ValidationError
from odoo.orm.environments import Transaction
from odoo.tests import TransactionCase, tagged
from odoo.tools import mute_logger

from .common import coupon_program_values

LOST = (psycopg2.errors.LockNotAvailable, psycopg2.errors.SerializationFailure, ValidationError)


@tagged("post_install", "-at_install")
class TestConcurrentRedemption(TransactionCase):
    def setUp(self):
        super().setUp()
        tag = uuid.uuid4().hex[:8]
        with self.registry.cursor() as cr:
            env = self._env(cr, api.SUPERUSER_ID)
            self.race_uid = self.env.ref("base.user_admin").id
            program = env["loyalty.program"].create(coupon_program_values(f"race {tag}", amount=30.0))
            partner = env["res.partner"].create({"name": f"race {tag}", "email": "race@example.com"})
            product = env["product.product"].create(
                {"name": f"race {tag}", "list_price": 100.0, "taxes_id": [Command.clear()], "type": "consu"}
            )
            card = env["loyalty.card"]._cc_issue_coupons(program, partner, "race", channel="none")
            orders = env["sale.order"].create(
                [
                    {"partner_id": partner.id, "order_line": [Command.create({"product_id": product.id})]}
                    for _ in range(2)
                ]
            )
            for order in orders:
                order.cc_apply_coupon(card.code)
            self.race_ids = {
                "program": program.id,
                "partner": partner.id,
                "product": product.id,
                "card": card.id,
            }
            self.order_ids = orders.ids
        self.addCleanup(self._remove_race_data)

    def _env(self, cr, uid):
        """An environment on ``cr`` without asking Registry() for the registry: the test runner holds the
        registries' lock, a thread asking for it would wait until the tests end."""
        if cr.transaction is None:
            cr.transaction = Transaction(self.registry)
        return api.Environment(cr, uid, {})

    def _remove_race_data(self):
        with self.registry.cursor() as cr:
            env = self._env(cr, api.SUPERUSER_ID)
            orders = env["sale.order"].browse(self.order_ids).exists()
            orders.filtered(lambda o: o.state == "sale")._action_cancel()
            orders.unlink()
            env["loyalty.card"].browse(self.race_ids["card"]).exists().with_context(
                active_test=False
            ).unlink()
            program = env["loyalty.program"].browse(self.race_ids["program"]).exists()
            discount_products = program.reward_ids.discount_line_product_id
            program.action_archive()
            program.unlink()
            (env["product.product"].browse(self.race_ids["product"]) | discount_products).exists().unlink()
            env["res.partner"].browse(self.race_ids["partner"]).exists().unlink()

    def _state(self):
        with self.registry.cursor() as cr:
            env = self._env(cr, api.SUPERUSER_ID)
            card = env["loyalty.card"].browse(self.race_ids["card"])
            return card.points, env["sale.order"].browse(self.order_ids).mapped("state")

    @mute_logger("odoo.sql_db")  # the loser's refused lock is logged as a bad query
    def test_two_transactions_racing_only_one_confirms(self):
        barrier = threading.Barrier(2)
        outcomes = {}

        def confirm(order_id):
            try:
                with self.registry.cursor() as cr:
                    env = self._env(cr, self.race_uid)
                    order = env["sale.order"].browse(order_id)
                    order.read(["state", "order_line"])  # both transactions start before either confirms
                    barrier.wait(timeout=10)
                    order.action_confirm()
                # leaving the block commits
                outcomes[order_id] = "won"
            except LOST as exc:
                outcomes[order_id] = type(exc).__name__
            except Exception as exc:  # noqa: BLE001  (shown by the assertions below)
                outcomes[order_id] = f"unexpected {exc!r}"

        threads = [threading.Thread(target=confirm, args=(order_id,)) for order_id in self.order_ids]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
        self.assertEqual(sorted(outcomes), sorted(self.order_ids), outcomes)
        self.assertEqual(list(outcomes.values()).count("won"), 1, outcomes)
        self.assertFalse([o for o in outcomes.values() if o.startswith("unexpected")], outcomes)
        points, states = self._state()
        self.assertEqual(points, 0)
        self.assertEqual(sorted(states), ["draft", "sale"])

    @mute_logger("odoo.sql_db")
    def test_the_loser_fails_at_once_then_sees_the_coupon_used(self):
        first, second = self.order_ids
        with self.registry.cursor() as cr1:
            env1 = self._env(cr1, self.race_uid)
            env1["sale.order"].browse(first).action_confirm()  # holds the coupon's row lock, not committed
            with self.registry.cursor() as cr2:
                env2 = self._env(cr2, self.race_uid)
                with self.assertRaises(psycopg2.errors.LockNotAvailable):
                    env2["sale.order"].browse(second).action_confirm()  # NOWAIT: no waiting
                cr2.rollback()
            cr1.commit()
        # what Odoo's retry of the loser's request does: a new transaction, which sees the coupon used
        with self.registry.cursor() as cr2:
            env2 = self._env(cr2, self.race_uid)
            with self.assertRaisesRegex(ValidationError, "already been used"):
                env2["sale.order"].browse(second).action_confirm()
            cr2.rollback()
        points, states = self._state()
        self.assertEqual(points, 0)
        self.assertEqual(states, ["sale", "draft"])
