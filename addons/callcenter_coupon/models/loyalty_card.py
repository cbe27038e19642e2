from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import SQL, format_amount, format_date

COUPON_STATES = [("valid", "Valid"), ("used", "Used"), ("expired", "Expired")]
CHECK_STATES = COUPON_STATES + [("unknown", "Unknown")]
CHANNELS = [("sms", "SMS"), ("email", "E-mail"), ("none", "Not sent")]
MAX_PER_ISSUE = 20  # coupons for one customer in one issue


def coupon_state_sql(card, program, today):
    """SQL of a coupon's state (valid / used / expired) from the aliases of loyalty_card and loyalty_program;
    the same rule as ``loyalty.card._cc_compute_state`` (and as sale_loyalty: fewer points than the cheapest
    reward means used)."""
    return SQL(
        """CASE
            WHEN %(card)s.points < COALESCE(
                    (SELECT MIN(r.required_points) FROM loyalty_reward r
                      WHERE r.program_id = %(card)s.program_id AND r.active), 1) - 0.000001
                THEN 'used'
            WHEN NOT %(card)s.active OR NOT %(program)s.active OR %(card)s.expiration_date < %(today)s
                 OR %(program)s.date_to < %(today)s
                THEN 'expired'
            ELSE 'valid'
        END""",
        card=SQL.identifier(card),
        program=SQL.identifier(program),
        today=today,
    )


class LoyaltyCard(models.Model):
    _inherit = "loyalty.card"

    cc_call_id = fields.Many2one(
        "cc.call", string="Issued During Call", readonly=True, index="btree_not_null", ondelete="set null"
    )
    cc_issued_by_id = fields.Many2one(
        "res.users", string="Issued By", readonly=True, index="btree_not_null", ondelete="set null"
    )
    cc_reason = fields.Char(string="Issue Reason", readonly=True)
    cc_channel = fields.Selection(CHANNELS, string="Sent By", readonly=True)
    cc_state = fields.Selection(
        COUPON_STATES, string="Coupon Status", compute="_compute_cc_state", search="_search_cc_state"
    )
    cc_value_label = fields.Char(string="Value", compute="_compute_cc_value_label")
    cc_used_order_id = fields.Many2one("sale.order", string="Used On Order", compute="_compute_cc_usage")
    cc_used_order_ref = fields.Char(string="Used On Order Ref.", compute="_compute_cc_usage")
    cc_used_date = fields.Datetime(string="Used On", compute="_compute_cc_usage")

    # -- state --------------------------------------------------------------------------------------------
    @api.depends("points", "expiration_date", "active", "program_id.active", "program_id.date_to")
    @api.depends_context("tz")
    def _compute_cc_state(self):
        today = fields.Date.context_today(self)
        for card in self:
            card.cc_state = card._cc_compute_state(today)

    def _cc_compute_state(self, today):
        self.ensure_one()
        program = self.program_id
        required = min(program.reward_ids.mapped("required_points") or [1.0])
        if self.points < required - 0.000001:
            return "used"
        if (
            not self.active
            or not program.active
            or (self.expiration_date and self.expiration_date < today)
            or (program.date_to and program.date_to < today)
        ):
            return "expired"
        return "valid"

    def _search_cc_state(self, operator, value):
        if operator not in ("in", "not in"):
            return NotImplemented
        today = fields.Date.context_today(self)
        self.env["loyalty.card"].flush_model(["points", "expiration_date", "active", "program_id"])
        self.env["loyalty.program"].flush_model(["active", "date_to"])
        self.env["loyalty.reward"].flush_model(["required_points", "active", "program_id"])
        query = SQL(
            "SELECT c.id FROM loyalty_card c JOIN loyalty_program p ON p.id = c.program_id"
            " WHERE %s = ANY(%s)",
            coupon_state_sql("c", "p", today),
            list(value),
        )
        return [("id", operator, query)]

    @api.depends("program_id")
    def _compute_cc_value_label(self):
        for card in self:
            card.cc_value_label = card.program_id._cc_value_label() if card.program_id else False

    def _compute_cc_usage(self):
        """The order that took the coupon (its latest use), from loyalty's history."""
        history = (
            self.env["loyalty.history"]
            .sudo()
            .search(
                [("card_id", "in", self.ids), ("used", ">", 0), ("order_model", "=", "sale.order")],
                order="id",
            )
        )
        last = {line.card_id.id: line for line in history}
        for card in self:
            line = last.get(card.id)
            card.cc_used_order_id = line.order_id if line else False
            # the reference only: agents without sales rights see which order took the coupon
            card.cc_used_order_ref = (
                self.env["sale.order"].sudo().browse(line.order_id).name if line else False
            )
            card.cc_used_date = line.create_date if line else False

    # -- checking a code ----------------------------------------------------------------------------------
    @api.model
    def _cc_find_code(self, code):
        code = (code or "").strip()
        if not code:
            return self.browse()
        domain = [("program_id.program_type", "=", "coupons")]
        card = self.with_context(active_test=False).search(domain + [("code", "=", code)], limit=1)
        if not card and code.lower() != code:
            card = self.with_context(active_test=False).search(
                domain + [("code", "=", code.lower())], limit=1
            )
        return card

    @api.model
    def _cc_check_code(self, code):
        """What a code is worth now: {"code", "state" (valid/used/expired/unknown), "state_label", "program",
        "value", "expiration_date", "partner", "card_id", "message"}; unknown for codes of no coupon."""
        card = self._cc_find_code(code)
        if not card:
            return {
                "code": (code or "").strip(),
                "state": "unknown",
                "state_label": self._cc_state_label("unknown"),
                "program": "",
                "value": "",
                "expiration_date": False,
                "partner": "",
                "card_id": False,
                "message": self.env._("Unknown code: no coupon has this code."),
            }
        state = card.cc_state
        expiry = format_date(self.env, card.expiration_date) if card.expiration_date else ""
        parts = [self._cc_state_label(state), card.program_id.name, card.cc_value_label]
        if state == "used" and card.cc_used_order_ref:
            parts.append(self.env._("used on %s", card.cc_used_order_ref))
        elif expiry:
            parts.append(
                self.env._("expires %s", expiry) if state == "valid" else self.env._("expired %s", expiry)
            )
        if card.partner_id:
            parts.append(card.partner_id.display_name)
        return {
            "code": card.code,
            "state": state,
            "state_label": self._cc_state_label(state),
            "program": card.program_id.name,
            "value": card.cc_value_label or "",
            "expiration_date": card.expiration_date,
            "partner": card.partner_id.display_name or "",
            "card_id": card.id,
            "message": " · ".join(p for p in parts if p),
        }

    @api.model
    def _cc_state_label(self, state):
        return {
            "valid": self.env._("Valid"),
            "used": self.env._("Used"),
            "expired": self.env._("Expired"),
            "unknown": self.env._("Unknown"),
        }[state]

    # -- issuing ------------------------------------------------------------------------------------------
    @api.model
    def _cc_issue_coupons(
        self, program, partners, reason, call=None, count=1, channel="auto", expiration_date=None
    ):
        """Issue ``count`` coupons of ``program`` to each of ``partners`` for ``reason`` (linked to
        ``call`` when given) and send each customer its codes by SMS or e-mail (``channel``: auto / sms /
        email / none).

        The entry point of the call desk, the bulk wizard and the campaigns. Agents may issue; an issue
        worth more than the company's approval amount (count × face value, to one customer) needs a Call
        Center Manager. Returns the new loyalty.card records."""
        self._cc_check_can_issue(program, partners, reason, count)
        reason = reason.strip()
        points = program._cc_coupon_points()
        expiry = expiration_date or program._cc_expiration_date()
        if expiry and expiry < fields.Date.context_today(self):
            raise UserError(self.env._("A coupon cannot expire before it is issued: choose a later date."))
        vals_list = []
        for partner in partners:
            partner_channel = self._cc_channel_for(partner, channel)
            vals_list += [
                {
                    "program_id": program.id,
                    "partner_id": partner.id,
                    "points": points,
                    "expiration_date": expiry,
                    "cc_call_id": call.id if call else False,
                    "cc_issued_by_id": self.env.uid,
                    "cc_reason": reason,
                    "cc_channel": partner_channel,
                }
            ] * count
        # sudo: agents issue without rights on loyalty (checked above); loyalty's own "at creation" mail is
        # replaced by the channel chosen here
        cards = (
            self.sudo()
            .with_context(loyalty_no_mail=True, mail_create_nosubscribe=True, tracking_disable=True)
            .create(vals_list)
        )
        self.env["loyalty.history"].sudo().create(
            [{"card_id": card.id, "description": reason, "issued": card.points} for card in cards]
        )
        cards.sudo()._cc_send_codes()
        if call:
            call._cc_log_issued_coupons(cards)
        return cards.with_env(self.env)

    @api.model
    def _cc_check_can_issue(self, program, partners, reason, count):
        env = self.env
        if not env.su and not env.user.has_group("callcenter_cti.group_cc_agent"):
            raise AccessError(env._("Only call center agents issue coupons."))
        if not (reason or "").strip():
            raise UserError(env._("Give the reason for issuing the coupon."))
        if not partners:
            raise UserError(env._("Choose the customer who receives the coupon."))
        if not 1 <= count <= MAX_PER_ISSUE:
            raise UserError(env._("Issue between 1 and %s coupons at a time.", MAX_PER_ISSUE))
        program = program.sudo()
        if (
            not program
            or program.program_type != "coupons"
            or not program.filtered_domain(program._cc_issuable_domain())
        ):
            raise UserError(env._("Choose an active coupon program that has not ended."))
        if not program.reward_ids:
            raise UserError(
                env._("The program %s has no reward: its coupons would be worth nothing.", program.name)
            )
        limit = env.company.cc_coupon_approval_amount
        if env.su or env.user.has_group("callcenter_cti.group_cc_manager") or limit <= 0:
            return
        value = program._cc_coupon_value()
        if value is None or value * count > limit:
            currency = env.company.currency_id
            worth = (
                format_amount(env, value * count, program.currency_id or currency)
                if value is not None
                else env._("an unbounded percentage")
            )
            raise AccessError(
                env._(
                    "Issuing %(worth)s of coupons to one customer needs a Call Center Manager (your limit is "
                    "%(limit)s).",
                    worth=worth,
                    limit=format_amount(env, limit, currency),
                )
            )

    @api.model
    def _cc_channel_for(self, partner, channel):
        if channel in ("sms", "email", "none"):
            return channel
        if partner.phone_sanitized or partner.phone:
            return "sms"
        return "email" if partner.email else "none"

    def _cc_send_codes(self):
        """Send each coupon's code to its customer through its channel (queued: SMS and mail crons send)."""
        sms_template = self.env.ref("callcenter_coupon.sms_template_cc_coupon", raise_if_not_found=False)
        mail_template = self.env.ref("callcenter_coupon.mail_template_cc_coupon", raise_if_not_found=False)
        for card in self:
            if not card.partner_id:
                continue
            if card.cc_channel == "sms" and sms_template:
                if not (card.partner_id.phone_sanitized or card.partner_id.phone):
                    raise UserError(
                        self.env._("%s has no phone number for SMS.", card.partner_id.display_name)
                    )
                card._message_sms_with_template(
                    template=sms_template, partner_ids=card.partner_id.ids, put_in_queue=True
                )
            elif card.cc_channel == "email" and mail_template:
                if not card.partner_id.email:
                    raise UserError(self.env._("%s has no e-mail address.", card.partner_id.display_name))
                card.message_post_with_source(
                    mail_template,
                    message_type="comment",
                    subtype_xmlid="mail.mt_comment",
                    partner_ids=card.partner_id.ids,
                    email_layout_xmlid="mail.mail_notification_light",
                )

    def _cc_issue_summary(self):
        """HTML list of coupons for a chatter message."""
        items = Markup("").join(
            Markup("<li>%s · %s</li>") % (card.code, card.program_id.name) for card in self
        )
        return Markup("<ul>%s</ul>") % items
