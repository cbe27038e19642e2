from odoo import fields, models

MOVES = [
    ("forward", "Forward"),
    ("return", "Return"),
    ("reject", "Reject"),
    ("dispatch", "Dispatch"),
    ("close", "Close"),
]


class CcWorkOrderMoveWizard(models.TransientModel):
    """Moves a work order on, back, down the dispatch tree or out of the flow, with a note."""

    _name = "cc.work.order.move.wizard"
    _description = "Move Work Order"

    order_id = fields.Many2one("cc.work.order", required=True, ondelete="cascade")
    move = fields.Selection(MOVES, required=True, default="forward")
    current_department_id = fields.Many2one(related="order_id.department_id")
    department_id = fields.Many2one(
        "cc.department",
        string="Dispatch To",
        domain="[('id', 'child_of', current_department_id), ('id', '!=', current_department_id)]",
    )
    note = fields.Text()

    def action_confirm(self):
        self.ensure_one()
        order, note = self.order_id, self.note or False
        if self.move == "dispatch":
            order.action_cc_dispatch(self.department_id, note)
        else:
            getattr(order, f"action_cc_{self.move}")(note)
        return {"type": "ir.actions.act_window_close"}
