from odoo import api, fields, models
from odoo.exceptions import UserError

STATES = [
    ("in_progress", "In Progress"),
    ("archived", "Archived"),
    ("rejected", "Rejected"),
    ("closed", "Closed"),
]


class CcWorkOrder(models.Model):
    """A work order (工单) moving through the stages of its service type's flow."""

    _name = "cc.work.order"
    _description = "Work Order"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "id desc"

    name = fields.Char(string="Reference", required=True, readonly=True, copy=False, default="/")
    service_record_id = fields.Many2one("cc.service.record", index="btree_not_null", tracking=True)
    partner_id = fields.Many2one(
        "res.partner",
        string="Customer",
        index=True,
        tracking=True,
        compute="_compute_from_record",
        store=True,
        readonly=False,
    )
    category_id = fields.Many2one(
        "cc.service.category",
        string="Service Type",
        tracking=True,
        compute="_compute_from_record",
        store=True,
        readonly=False,
    )
    flow_id = fields.Many2one("cc.work.flow", required=True, tracking=True)
    stage_id = fields.Many2one("cc.work.flow.stage", readonly=True, tracking=True, index=True)
    state = fields.Selection(
        STATES, required=True, default="in_progress", readonly=True, tracking=True, index=True
    )
    department_id = fields.Many2one("cc.department", readonly=True, tracking=True)
    user_id = fields.Many2one("res.users", string="Responsible", readonly=True, tracking=True, index=True)
    requester_id = fields.Many2one(
        "res.users", string="Opened By", default=lambda self: self.env.user, readonly=True
    )
    stage_start = fields.Datetime(string="In Stage Since", readonly=True)
    deadline = fields.Datetime(readonly=True, tracking=True, index="btree_not_null")
    is_overdue = fields.Boolean(string="Overdue", readonly=True, tracking=True)
    escalated = fields.Boolean(readonly=True, copy=False)
    instructions = fields.Html(related="stage_id.instructions")
    description = fields.Text()
    history_ids = fields.One2many("cc.work.order.history", "order_id", string="Stage History", readonly=True)
    company_id = fields.Many2one("res.company", required=True, default=lambda self: self.env.company)

    @api.depends("service_record_id")
    def _compute_from_record(self):
        for order in self:
            record = order.service_record_id
            order.partner_id = record.partner_id or order.partner_id
            order.category_id = (record.category_id or record.type_id)._cc_service_type() or order.category_id

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            if vals.get("name", "/") == "/":
                vals["name"] = self.env["ir.sequence"].next_by_code("cc.work.order") or "/"
        orders = super().create(vals_list)
        for order in orders:
            first = order.flow_id._cc_first_stage()
            if not first:
                raise UserError(self.env._("The flow %s has no stages.", order.flow_id.name))
            order._cc_enter_stage(first, first.department_id)
        return orders

    def action_cc_move(self):
        """The move dialog (forward, return, reject, dispatch, close) with its note."""
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Move Work Order"),
            "res_model": "cc.work.order.move.wizard",
            "view_mode": "form",
            "target": "new",
            "context": {
                "default_order_id": self.id,
                "default_move": self.env.context.get("cc_move", "forward"),
            },
        }

    def action_cc_forward(self, note=None):
        """To the next stage; from the last one the work order is archived."""
        for order in self:
            order._cc_check_open()
            following = order.stage_id._cc_next()
            order._cc_leave_stage("forwarded" if following else "archived", note)
            if following:
                order._cc_enter_stage(following, following.department_id)
            else:
                order._cc_finish("archived")

    def action_cc_return(self, note=None):
        """Back to the previous stage, whose responsible is told again."""
        for order in self:
            order._cc_check_open()
            previous = order.stage_id._cc_previous()
            if not previous:
                raise UserError(self.env._("%s is at its first stage: reject it instead.", order.name))
            order._cc_leave_stage("returned", note)
            order._cc_enter_stage(previous, previous.department_id)

    def action_cc_reject(self, note=None):
        for order in self:
            order._cc_check_open()
            order._cc_leave_stage("rejected", note)
            order._cc_finish("rejected")

    def action_cc_close(self, note=None):
        for order in self:
            order._cc_check_open()
            order._cc_leave_stage("closed", note)
            order._cc_finish("closed")

    def action_cc_dispatch(self, department, note=None):
        """Hands the current stage down to a branch or department under the current one."""
        for order in self:
            order._cc_check_open()
            if department not in self.env["cc.department"].search(
                [("id", "child_of", order.department_id.id)]
            ):
                raise UserError(
                    self.env._(
                        "Dispatch to a branch or department under %s.", order.department_id.complete_name
                    )
                )
            order._cc_leave_stage("dispatched", note)
            order._cc_enter_stage(order.stage_id, department)

    def _cc_check_open(self):
        if self.state != "in_progress":
            raise UserError(self.env._("%s is no longer in progress.", self.name))

    def _cc_enter_stage(self, stage, department):
        """Starts the clock on the working calendar and tells the new responsible."""
        now = fields.Datetime.now()
        self.write(
            {
                "stage_id": stage.id,
                "department_id": department.id,
                "user_id": stage._cc_responsible(department).id,
                "stage_start": now,
                "deadline": stage._cc_deadline(now, self.company_id),
                "is_overdue": False,
                "escalated": False,
            }
        )
        # sudo: stage history lines are written by the flow, never by hand
        self.env["cc.work.order.history"].sudo().create(
            {
                "order_id": self.id,
                "stage_id": stage.id,
                "department_id": department.id,
                "user_id": self.user_id.id,
                "date_in": now,
                "deadline": self.deadline,
            }
        )
        self._cc_notify(
            self.user_id,
            self.env._("Work order %(name)s is yours: %(stage)s", name=self.name, stage=stage.name),
            kind="assigned",
        )

    def _cc_leave_stage(self, outcome, note):
        line = self.history_ids.filtered(lambda h: not h.date_out)[:1]
        # sudo: closing the open stage-history line (the flow's own bookkeeping)
        line.sudo().write(
            {"date_out": fields.Datetime.now(), "outcome": outcome, "note": note, "by_user_id": self.env.uid}
        )
        self.activity_ids.filtered(lambda a: a.user_id == self.user_id).action_feedback(
            feedback=note
            or dict(self.history_ids._fields["outcome"]._description_selection(self.env))[outcome],
        )
        if note:
            self.message_post(body=note)

    def _cc_finish(self, state):
        self.write({"state": state, "deadline": False, "is_overdue": False})
        self._cc_notify(
            self.requester_id,
            self.env._("Work order %(name)s: %(state)s", name=self.name, state=self._cc_state_label(state)),
            kind=state,
            activity=False,
        )

    def _cc_notify(self, user, summary, kind, activity=True):
        """A to-do activity and a bus message for ``user``."""
        if not user:
            return
        if activity:
            self.activity_schedule(
                "mail.mail_activity_data_todo",
                date_deadline=self._cc_activity_date(user, kind),
                summary=summary,
                user_id=user.id,
            )
        user._bus_send(
            "callcenter/work_order",
            {
                "id": self.id,
                "name": self.name,
                "kind": kind,
                "summary": summary,
                "stage": self.stage_id.name or "",
                "state": self.state,
                "deadline": fields.Datetime.to_string(self.deadline) if self.deadline else False,
            },
        )

    def _cc_activity_date(self, user, kind):
        """The stage deadline's day where ``user`` works (today for an escalation: it is already late)."""
        deadline = self.deadline if kind == "assigned" else None
        return fields.Date.context_today(
            self.with_context(tz=user.tz or self.env.context.get("tz")), deadline
        )

    @api.model
    def _cc_escalate_overdue(self):
        """Cron: flags work orders past their stage deadline and tells the stage's manager once."""
        overdue = self.search(
            [
                ("state", "=", "in_progress"),
                ("deadline", "<", fields.Datetime.now()),
                ("escalated", "=", False),
            ]
        )
        for order in overdue:
            order.write({"is_overdue": True, "escalated": True})
            order.history_ids.filtered(lambda h: not h.date_out).write({"escalated": True})
            manager = order.stage_id._cc_escalation_manager(order.department_id)
            summary = self.env._("Overdue: %(name)s at %(stage)s", name=order.name, stage=order.stage_id.name)
            order.message_post(body=summary)
            order._cc_notify(manager, summary, kind="escalated")
        return overdue

    def _cc_state_label(self, state):
        return dict(self._fields["state"]._description_selection(self.env))[state]

    def _cc_form_action(self):
        return {
            "type": "ir.actions.act_window",
            "res_model": self._name,
            "res_id": self.id,
            "views": [(False, "form")],
            "target": "current",
        }

    def _cc_desk_record(self):
        self.ensure_one()
        return {
            "id": self.id,
            "model": self._name,
            "name": self.name,
            "subtitle": " · ".join(
                filter(None, [self.stage_id.name, self.department_id.name, self.user_id.name])
            ),
            "state": self._cc_state_label(self.state) + (" ⚠" if self.is_overdue else ""),
        }
