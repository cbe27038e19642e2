from odoo import fields, models


class CcQueueMember(models.Model):
    _name = "cc.queue.member"
    _description = "Queue Membership"
    _order = "queue_id, penalty, agent_id"

    queue_id = fields.Many2one("cc.queue", required=True, ondelete="cascade", index=True)
    agent_id = fields.Many2one("cc.agent", required=True, ondelete="cascade", index=True)
    penalty = fields.Integer(default=0, help="Lower penalties are rung first.")
    logged_in = fields.Boolean(readonly=True, copy=False)
    paused = fields.Boolean(readonly=True, copy=False)
    pause_reason = fields.Char(readonly=True, copy=False)
    status = fields.Char(readonly=True, copy=False, help="Asterisk's device status of the member.")

    _queue_agent_unique = models.Constraint(
        "UNIQUE(queue_id, agent_id)", "An agent is a member of a queue only once."
    )
    _penalty_positive = models.Constraint("CHECK(penalty >= 0)", "A penalty cannot be negative.")

    def _cti_update(self, queue, agent, event, memo=None):
        """Mirror Asterisk's view of one membership (QueueMemberAdded/Removed/Pause/Status); returns the
        values that changed."""
        memo = {} if memo is None else memo
        values = {
            "logged_in": event.status != "removed",
            "paused": bool(event.paused),
            "pause_reason": event.reason or False,
            "status": event.status or False,
        }
        if event.penalty is not None:
            values["penalty"] = int(event.penalty)
        key = (queue.id, agent.id)
        known = memo.get(key)
        if known is None:
            member = self.search([("queue_id", "=", queue.id), ("agent_id", "=", agent.id)], limit=1)
            known = (member.id, {}) if member else None
        if known is None:
            memo[key] = (self.create(values | {"queue_id": queue.id, "agent_id": agent.id}).id, values)
            return values
        changed = {k: v for k, v in values.items() if known[1].get(k) != v}
        if changed:
            self.browse(known[0]).write(changed)
        memo[key] = (known[0], known[1] | values)
        return changed
