from odoo import models


class CcServiceRecord(models.Model):
    """Service records on the customer portal."""

    _name = "cc.service.record"
    _inherit = ["cc.service.record", "portal.mixin"]

    def _compute_access_url(self):
        for record in self:
            record.access_url = f"/my/service_records/{record.id}"

    def _cc_lookup_status(self):
        self.ensure_one()
        return self.status_id.name

    def _cc_lookup_history(self):
        """The follow-up trail, oldest first."""
        self.ensure_one()
        return [
            {"date": step.date, "title": step.status_id.name, "note": step.note}
            for step in self.step_ids.sorted(lambda s: (s.date, s.id))
        ]
