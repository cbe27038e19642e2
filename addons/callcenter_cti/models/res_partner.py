from odoo import api, models


class ResPartner(models.Model):
    _inherit = "res.partner"

    # The caller lookup is an equality on E.164 numbers: this index makes it O(log n).
    _phone_sanitized_idx = models.Index("(phone_sanitized) WHERE phone_sanitized IS NOT NULL")

    @api.model
    def _cc_find_by_e164(self, numbers):
        """Partners owning any of ``numbers`` (E.164): {number: partner ids}, best match first.

        The one caller lookup of the suite; callcenter_crm widens it to every number of a customer.
        """
        numbers = [n for n in set(numbers) if n]
        if not numbers:
            return {}
        found = {}
        # sudo: the bridge and the screen-pop resolve callers whatever the agent's partner rules are
        partners = self.sudo().search_fetch([("phone_sanitized", "in", numbers)], ["phone_sanitized"], order="id")
        for partner in partners:
            found.setdefault(partner.phone_sanitized, []).append(partner.id)
        return found
