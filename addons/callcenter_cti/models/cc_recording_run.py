from odoo import fields, models


class CcRecordingRun(models.Model):
    _name = "cc.recording.run"
    _description = "Recording Housekeeping Run"
    _order = "run_at desc, id desc"

    server_id = fields.Many2one("cc.pbx.server", required=True, ondelete="cascade", index=True)
    company_id = fields.Many2one(related="server_id.company_id", store=True)
    run_at = fields.Datetime(required=True, default=fields.Datetime.now)
    free_mb = fields.Integer(string="Free Space (MB)")
    alarm = fields.Boolean(help="Free space was under the server's threshold.")
    archived_count = fields.Integer(string="Archived")
    deleted_count = fields.Integer(string="Deleted")
    error_count = fields.Integer(string="Errors")
    message = fields.Text()
