from datetime import timedelta

from odoo import api, fields, models

from .cc_lookup_mixin import DUMMY_HASH, verify_lookup_code

LOOKUP_MODELS = ["cc.work.order", "sale.order"]
MAX_FAILURES = 5
WINDOW = timedelta(minutes=15)
KEEP = timedelta(days=180)


class CcLookupAttempt(models.Model):
    """One try of the public status lookup: the rate limit counts them, managers audit them."""

    _name = "cc.lookup.attempt"
    _description = "Public Lookup Attempt"
    _order = "date desc, id desc"
    _rec_name = "number"

    date = fields.Datetime(required=True, default=fields.Datetime.now, readonly=True, index=True)
    ip = fields.Char(string="IP Address", readonly=True, index=True)
    number = fields.Char(readonly=True, index=True)
    result = fields.Selection(
        [
            ("success", "Found"),
            ("failure", "Wrong Number or Password"),
            ("blocked", "Refused: Too Many Failures"),
        ],
        required=True,
        readonly=True,
        index=True,
    )
    res_model = fields.Char(string="Document Model", readonly=True)
    res_id = fields.Many2oneReference(string="Document ID", model_field="res_model", readonly=True)
    user_agent = fields.Char(readonly=True)

    @api.model
    def _cc_lookup(self, number, code, ip, user_agent=None):
        """The document whose number and password match, after the rate limit; every try is logged.

        Returns (result, document): document is empty unless result is "success".
        """
        number = "".join((number or "").split()).upper()[:64]
        values = {"number": number, "ip": ip, "user_agent": (user_agent or "")[:256]}
        if self._cc_is_blocked(number, ip):
            self._cc_log(values, "blocked")
            return "blocked", None
        document = self._cc_match(number, code)
        self._cc_log(values, "success" if document else "failure", document)
        return ("success", document) if document else ("failure", None)

    @api.model
    def _cc_is_blocked(self, number, ip):
        """Too many failures in the window, from this address or on this number (from any address)."""
        # sudo: the public user counts the failures it may not read
        return (
            self.sudo().search_count(
                [
                    ("result", "=", "failure"),
                    ("date", ">", fields.Datetime.now() - WINDOW),
                    "|",
                    ("ip", "=", ip),
                    ("number", "=", number),
                ]
            )
            >= MAX_FAILURES
        )

    @api.model
    def _cc_match(self, number, code):
        """Checks the password of every document with this number; an unknown number costs one hash too."""
        candidates = [doc for model in LOOKUP_MODELS for doc in self.env[model]._cc_find_by_number(number)]
        if not candidates:
            verify_lookup_code(code, DUMMY_HASH)
            return None
        matching = [doc for doc in candidates if doc._cc_check_lookup_code(code)]
        return matching[0] if matching else None

    @api.model
    def _cc_log(self, values, result, document=None):
        # sudo: the public user writes the audit trail it may not read
        self.sudo().create(
            values
            | {
                "result": result,
                "res_model": document and document._name,
                "res_id": document and document.id,
            }
        )

    @api.autovacuum
    def _gc_old_attempts(self):
        self.search([("date", "<", fields.Datetime.now() - KEEP)]).unlink()
