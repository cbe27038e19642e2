from odoo import api, fields, models
from odoo.exceptions import UserError


class CcServiceRecord(models.Model):
    """What a caller wanted and how it was handled (来电业务记录)."""

    _name = "cc.service.record"
    _description = "Service Record"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "date desc, id desc"

    name = fields.Char(string="Reference", required=True, readonly=True, copy=False, default="/")
    date = fields.Datetime(required=True, default=fields.Datetime.now, index=True, tracking=True)
    partner_id = fields.Many2one("res.partner", string="Customer", index=True, tracking=True)
    phone = fields.Char(string="Number", tracking=True)
    call_id = fields.Many2one("cc.call", index="btree_not_null", ondelete="set null", readonly=True)
    queue_id = fields.Many2one("cc.queue", readonly=True)
    ivr_digits = fields.Char(string="IVR Digits", readonly=True)
    directory_id = fields.Many2one("cc.service.category", domain=[("level", "=", "directory")], tracking=True)
    type_id = fields.Many2one(
        "cc.service.category",
        domain="[('level', '=', 'type'), ('parent_id', '=', directory_id)]",
        tracking=True,
    )
    category_id = fields.Many2one(
        "cc.service.category",
        string="Service",
        domain="[('level', '=', 'name'), ('parent_id', '=', type_id)]",
        index=True,
        tracking=True,
    )
    status_id = fields.Many2one(
        "cc.service.status",
        required=True,
        default=lambda self: self._default_status(),
        group_expand="_read_group_status_ids",
        tracking=True,
        index=True,
    )
    is_done = fields.Boolean(related="status_id.is_done", store=True, string="Done")
    user_id = fields.Many2one(
        "res.users", string="Agent", default=lambda self: self.env.user, index=True, tracking=True
    )
    assignee_id = fields.Many2one("res.users", string="Assigned To", index="btree_not_null", tracking=True)
    description = fields.Text()
    step_ids = fields.One2many("cc.service.record.step", "record_id", string="Processing Steps")
    step_count = fields.Integer(compute="_compute_step_count")
    work_order_ids = fields.One2many("cc.work.order", "service_record_id", string="Work Orders")
    work_order_count = fields.Integer(compute="_compute_work_order_count")
    company_id = fields.Many2one("res.company", required=True, default=lambda self: self.env.company)

    def _default_status(self):
        return self.env["cc.service.status"].search([("is_done", "=", False)], limit=1)

    @api.model
    def _read_group_status_ids(self, statuses, domain):
        return statuses.search([("active", "=", True)])

    def _compute_step_count(self):
        for record in self:
            record.step_count = len(record.step_ids)

    def _compute_work_order_count(self):
        for record in self:
            record.work_order_count = len(record.work_order_ids)

    @api.onchange("directory_id")
    def _onchange_directory_id(self):
        if self.type_id.parent_id != self.directory_id:
            self.type_id = False

    @api.onchange("type_id")
    def _onchange_type_id(self):
        if self.type_id:
            self.directory_id = self.type_id.parent_id
        if self.category_id.parent_id != self.type_id:
            self.category_id = False

    @api.onchange("category_id")
    def _onchange_category_id(self):
        if self.category_id:
            self.type_id = self.category_id.parent_id
            self.directory_id = self.type_id.parent_id

    @api.onchange("partner_id")
    def _onchange_partner_id(self):
        if self.partner_id and not self.phone:
            self.phone = self.partner_id.phone

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            if vals.get("name", "/") == "/":
                vals["name"] = self.env["ir.sequence"].next_by_code("cc.service.record") or "/"
        records = super().create(vals_list)
        records._cc_log_step(self.env._("Record created"))
        return records

    def write(self, vals):
        previous = {record: record.status_id for record in self} if "status_id" in vals else {}
        result = super().write(vals)
        for record, status in previous.items():
            if record.status_id != status and not self.env.context.get("cc_step_logged"):
                record._cc_log_step(
                    self.env._(
                        "Status changed: %(old)s → %(new)s", old=status.name, new=record.status_id.name
                    )
                )
        return result

    def action_cc_process(self):
        """The processing-step dialog: what was done, and the status it leaves the record in."""
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Add Processing Step"),
            "res_model": "cc.service.record.step.wizard",
            "view_mode": "form",
            "target": "new",
            "context": {"default_record_id": self.id, "default_status_id": self.status_id.id},
        }

    def action_cc_create_work_order(self):
        """A work order following the flow of this record's service type."""
        self.ensure_one()
        category = self.category_id or self.type_id
        flow = category._cc_flow() if category else self.env["cc.work.flow"]
        if not flow.stage_ids:
            raise UserError(self.env._("The service type of this record has no work flow with stages."))
        order = self.env["cc.work.order"].create(
            {
                "service_record_id": self.id,
                "flow_id": flow.id,
                "description": self.description,
                "company_id": self.company_id.id,
            }
        )
        return order._cc_form_action()

    def action_cc_view_work_orders(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("callcenter_crm.cc_work_order_action")
        action["domain"] = [("service_record_id", "=", self.id)]
        action["context"] = {"default_service_record_id": self.id}
        return action

    def _cc_log_step(self, note, status=None):
        """One line of the follow-up trail per record: who, when, what."""
        # sudo: the trail is written by the record's own changes; agents cannot edit past steps
        self.env["cc.service.record.step"].sudo().create(
            [
                {
                    "record_id": record.id,
                    "user_id": self.env.uid,
                    "note": note,
                    "status_id": (status or record.status_id).id,
                }
                for record in self
            ]
        )

    def _cc_desk_record(self):
        """The record as the call desk lists it."""
        self.ensure_one()
        return {
            "id": self.id,
            "model": self._name,
            "name": self.name,
            "subtitle": " · ".join(filter(None, [f"{self.date:%Y-%m-%d}", self.category_id.complete_name])),
            "state": self.status_id.name,
        }
