import json

from odoo import api, fields, models
from odoo.exceptions import UserError


class CcCtiCommand(models.Model):
    """An AMI action for the bridge, which owns the only AMI session: queued here, sent, answered.

    The queue is durable (a row per command), so a command given while the bridge restarts is sent when it is
    back; every supervisor action is kept as its audit entry (who, what, on whom, when, result).
    """

    _name = "cc.cti.command"
    _description = "PBX Command"
    _order = "id desc"

    server_id = fields.Many2one("cc.pbx.server", required=True, ondelete="cascade", index=True)
    company_id = fields.Many2one(related="server_id.company_id", store=True)
    user_id = fields.Many2one("res.users", string="Requested By", required=True, index=True)
    kind = fields.Selection(
        [
            ("listen", "Listen"),
            ("whisper", "Whisper"),
            ("barge", "Barge"),
            ("hangup", "Force hangup"),
            ("pause", "Force pause"),
            ("ready", "Force ready"),
            ("logout", "Force logout"),
            ("other", "Other"),
        ],
        required=True,
    )
    agent_id = fields.Many2one("cc.agent", string="Target Agent", index="btree_not_null")
    reason = fields.Char()
    actions = fields.Text(required=True, help="The AMI actions to send, in order (JSON list).")
    state = fields.Selection(
        [("queued", "Queued"), ("sent", "Sent"), ("done", "Done"), ("failed", "Failed")],
        default="queued",
        required=True,
        index=True,
    )
    result = fields.Text()
    done_at = fields.Datetime()
    audit = fields.Boolean(help="A supervisor action, kept in the audit log.")

    _queued_idx = models.Index("(server_id, id) WHERE state = 'queued'")

    @api.model
    def _cc_enqueue(self, server, kind, actions, agent=None, reason=None, audit=False):
        """Queue AMI ``actions`` (a list of dicts) for ``server``'s bridge; it answers within a second."""
        if not server:
            raise UserError(self.env._("This agent is on no PBX server."))
        # sudo: agents and supervisors queue commands; the rows are their audit trail, not theirs to edit
        return self.sudo().create(
            {
                "server_id": server.id,
                "user_id": self.env.user.id,
                "kind": kind,
                "agent_id": agent.id if agent else False,
                "reason": reason or False,
                "actions": json.dumps(actions),
                "audit": audit,
            }
        )

    def _cc_actions(self):
        return json.loads(self.actions)

    def _cc_finish(self, ok, message):
        """Record the PBX's answer and tell the requester's screens."""
        self.write({"state": "done" if ok else "failed", "result": message, "done_at": fields.Datetime.now()})
        for command in self:
            payload = {"id": command.id, "kind": command.kind, "state": command.state, "message": message}
            command.user_id._bus_send("callcenter/command", payload)
