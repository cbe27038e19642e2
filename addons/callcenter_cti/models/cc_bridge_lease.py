from odoo import fields, models


class CcBridgeLease(models.Model):
    """Which bridge process is the active one of a PBX server (high availability).

    Several ``cti_bridge`` processes (on several hosts) may serve one PBX: the one holding this lease is
    active, the others wait. The active one renews it every second; when it dies or loses the database, the
    lease runs out after a few seconds and a waiting process takes over. The row lives apart from the server
    record so that the bridge's long batch transactions (which update the journal marker) never delay a
    renewal.
    """

    _name = "cc.bridge.lease"
    _description = "CTI Bridge Lease"
    _rec_name = "owner"

    server_id = fields.Many2one("cc.pbx.server", required=True, ondelete="cascade", readonly=True)
    owner = fields.Char(string="Active Bridge", readonly=True, help="host:process of the active bridge.")
    expires_at = fields.Datetime(readonly=True)
    since = fields.Datetime(string="Active Since", readonly=True)

    _server_unique = models.Constraint("UNIQUE(server_id)", "A PBX server has one bridge lease.")
