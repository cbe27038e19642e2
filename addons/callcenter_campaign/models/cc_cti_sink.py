from odoo import api, models


class CcCtiSink(models.AbstractModel):
    _inherit = "cc.cti.sink"

    @api.model
    def _cti_apply(self, server, events, last_seq=None, memo=None):
        """Notification calls that ended in this batch give their campaign targets a result (same
        transaction as the calls: exactly once)."""
        result = super()._cti_apply(server, events, last_seq=last_seq, memo=memo)
        calls = self.env["cc.call"].browse([call.id for call in result["calls"].values()])
        notified = calls.filtered(lambda call: call.linkedid.startswith("notify-"))
        if notified:
            self.env["cc.campaign.target"]._cc_notify_results(notified)
        dialled = calls.filtered(lambda call: call.res_model == "cc.campaign.target")
        if dialled:
            self.env["cc.campaign.attempt"]._cc_link_calls(dialled)
        return result
