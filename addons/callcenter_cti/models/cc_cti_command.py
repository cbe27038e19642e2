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
            ("agent_login", "Queue login"),
            ("agent_logout", "Queue logout"),
            ("agent_pause", "Pause"),
            ("agent_ready", "Ready"),
            ("hold", "Hold"),
            ("resume", "Resume"),
            ("agent_hangup", "Hang up"),
            ("transfer", "Blind transfer"),
            ("consult", "Consult transfer"),
            ("consult_end", "End consultation"),
            ("conference", "Conference"),
            ("dial", "Click-to-dial"),
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
    call_id = fields.Many2one("cc.call", index="btree_not_null", ondelete="set null")
    linkedid = fields.Char(
        string="Call ID",
        index="btree_not_null",
        help="The call the command acts on (its channels are resolved by the bridge), or the Linkedid a "
        "click-to-dial gives the call it starts.",
    )
    res_model = fields.Char(
        string="Started From (Model)", help="Click-to-dial: the record the call is about."
    )
    res_id = fields.Many2oneReference(string="Started From (ID)", model_field="res_model")

    _queued_idx = models.Index("(server_id, id) WHERE state = 'queued'")

    @api.model
    def _cc_enqueue(self, server, kind, actions, agent=None, reason=None, audit=False, **extra):
        """Queue AMI ``actions`` (a list of dicts) for ``server``'s bridge; it answers within a second.

        ``extra``: call_id, linkedid, res_model, res_id.
        """
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
                **extra,
            }
        )

    def _cc_answer(self, message):
        """What the agent's screen shows right away; the PBX's own answer follows on the bus."""
        self.ensure_one()
        return {"command_id": self.id, "message": message}

    def _cc_actions(self):
        return json.loads(self.actions)

    def _cc_finish(self, ok, message):
        """Record the PBX's answer and tell the requester's screens."""
        self.write({"state": "done" if ok else "failed", "result": message, "done_at": fields.Datetime.now()})
        for command in self:
            payload = {"id": command.id, "kind": command.kind, "state": command.state, "message": message}
            command.user_id._bus_send("callcenter/command", payload)
