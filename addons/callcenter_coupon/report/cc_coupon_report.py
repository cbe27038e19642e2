from odoo import fields, models
from odoo.tools import SQL

from ..models.loyalty_card import COUPON_STATES, coupon_state_sql


class CcCouponReport(models.Model):
    """One row per coupon of a coupon program: issued / used / expired by period, program and agent."""

    _name = "cc.coupon.report"
    _description = "Coupon Analysis"
    _auto = False
    _order = "date desc, id desc"
    _rec_name = "code"

    card_id = fields.Many2one("loyalty.card", string="Coupon", readonly=True)
    code = fields.Char(readonly=True)
    date = fields.Datetime(string="Issued On", readonly=True)
    program_id = fields.Many2one("loyalty.program", readonly=True)
    partner_id = fields.Many2one("res.partner", string="Customer", readonly=True)
    user_id = fields.Many2one("res.users", string="Issued By", readonly=True)
    call_id = fields.Many2one("cc.call", readonly=True)
    reason = fields.Char(string="Issue Reason", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    currency_id = fields.Many2one("res.currency", readonly=True)
    state = fields.Selection(COUPON_STATES, string="Status", readonly=True)
    expiration_date = fields.Date(readonly=True)
    used_date = fields.Datetime(string="Used On", readonly=True)
    order_id = fields.Many2one("sale.order", string="Used On Order", readonly=True)
    order_ref = fields.Char(string="Order Reference", readonly=True)
    issued_count = fields.Integer(string="Issued", readonly=True)
    valid_count = fields.Integer(string="Available", readonly=True)
    used_count = fields.Integer(string="Used", readonly=True)
    expired_count = fields.Integer(string="Expired", readonly=True)
    discount_amount = fields.Monetary(string="Amount Deducted", readonly=True)

    @property
    def _table_query(self):
        state = coupon_state_sql("c", "p", SQL("CURRENT_DATE"))
        return SQL(
            """
            SELECT c.id, c.id AS card_id, c.code, c.create_date AS date, c.program_id, c.partner_id,
                   COALESCE(c.cc_issued_by_id, c.create_uid) AS user_id, c.cc_call_id AS call_id,
                   c.cc_reason AS reason, c.company_id, p.currency_id, s.state, c.expiration_date,
                   u.used_date, u.order_id, so.name AS order_ref, 1 AS issued_count,
                   (s.state = 'valid')::int AS valid_count, (s.state = 'used')::int AS used_count,
                   (s.state = 'expired')::int AS expired_count, COALESCE(d.amount, 0) AS discount_amount
              FROM loyalty_card c
              JOIN loyalty_program p ON p.id = c.program_id AND p.program_type = 'coupons'
              CROSS JOIN LATERAL (SELECT %(state)s AS state) s
              LEFT JOIN LATERAL (
                    SELECT h.create_date AS used_date, h.order_id
                      FROM loyalty_history h
                     WHERE h.card_id = c.id AND h.used > 0 AND h.order_model = 'sale.order'
                  ORDER BY h.id DESC LIMIT 1) u ON TRUE
              LEFT JOIN sale_order so ON so.id = u.order_id
              LEFT JOIN LATERAL (
                    SELECT -SUM(l.price_total) AS amount
                      FROM sale_order_line l JOIN sale_order o ON o.id = l.order_id AND o.state = 'sale'
                     WHERE l.coupon_id = c.id AND l.reward_id IS NOT NULL) d ON TRUE
            """,
            state=state,
        )


class CcCouponUsage(models.Model):
    """Consumption records: one row per reward line of a confirmed order that took a coupon (抵扣)."""

    _name = "cc.coupon.usage"
    _description = "Coupon Consumption"
    _auto = False
    _order = "date desc, id desc"
    _rec_name = "code"

    date = fields.Datetime(string="Order Date", readonly=True)
    order_id = fields.Many2one("sale.order", readonly=True)
    order_ref = fields.Char(string="Order Reference", readonly=True)
    partner_id = fields.Many2one("res.partner", string="Customer", readonly=True)
    card_id = fields.Many2one("loyalty.card", string="Coupon", readonly=True)
    code = fields.Char(readonly=True)
    program_id = fields.Many2one("loyalty.program", readonly=True)
    issued_by_id = fields.Many2one("res.users", readonly=True)
    call_id = fields.Many2one("cc.call", string="Issued During Call", readonly=True)
    salesperson_id = fields.Many2one("res.users", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    currency_id = fields.Many2one("res.currency", readonly=True)
    amount = fields.Monetary(string="Amount Deducted", readonly=True)
    order_amount = fields.Monetary(string="Order Total", readonly=True)

    @property
    def _table_query(self):
        return SQL(
            """
            SELECT l.id, o.date_order AS date, o.id AS order_id, o.name AS order_ref, o.partner_id,
                   c.id AS card_id, c.code,
                   c.program_id, COALESCE(c.cc_issued_by_id, c.create_uid) AS issued_by_id,
                   c.cc_call_id AS call_id, o.user_id AS salesperson_id, o.company_id, o.currency_id,
                   -l.price_total AS amount, o.amount_total AS order_amount
              FROM sale_order_line l
              JOIN sale_order o ON o.id = l.order_id AND o.state = 'sale'
              JOIN loyalty_card c ON c.id = l.coupon_id
              JOIN loyalty_program p ON p.id = c.program_id AND p.program_type = 'coupons'
             WHERE l.reward_id IS NOT NULL
            """
        )
