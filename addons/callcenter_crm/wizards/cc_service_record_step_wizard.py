from odoo import fields, models


class CcServiceRecordStepWizard(models.TransientModel):
    """Adds a processing step to a service record and sets the status it leaves it in."""

    _name = "cc.service.record.step.wizard"
    _description = "Add Processing Step"

    record_id = fields.Many2one("cc.service.record", required=True, ondelete="cascade")
    note = fields.Text(string="What Was Done", required=True)
    status_id = fields.Many2one("cc.service.status", string="New Status", required=True)
    assignee_id = fields.Many2one("res.users", string="Assign To")

    def action_confirm(self):
        self.ensure_one()
        record = self.record_id
        vals = {"status_id": self.status_id.id}
        if self.assignee_id:
            vals["assignee_id"] = self.assignee_id.id
        record.with_context(cc_step_logged=True).write(vals)
        record._cc_log_step(self.note, self.status_id)
        record.message_post(body=self.note)
        return {"type": "ir.actions.act_window_close"}
