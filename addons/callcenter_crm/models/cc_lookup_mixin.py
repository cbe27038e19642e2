import hashlib
import hmac
import secrets

from odoo import api, fields, models

# No 0/O, 1/I/L: the code is read out on the phone and typed from an SMS or an e-mail.
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CODE_LENGTH = 8
PBKDF2_ITERATIONS = 60000
# Compared against when the number is unknown, so that both answers take the same time.
DUMMY_HASH = "pbkdf2_sha256$60000$00000000000000000000000000000000$" + "0" * 64


def hash_lookup_code(code, salt=None, iterations=PBKDF2_ITERATIONS):
    salt = salt or secrets.token_hex(16)
    digest = hashlib.pbkdf2_hmac("sha256", normalize_lookup_code(code).encode(), salt.encode(), iterations)
    return f"pbkdf2_sha256${iterations}${salt}${digest.hex()}"


def verify_lookup_code(code, stored):
    """Constant-time check of ``code`` against a ``hash_lookup_code`` value (any malformed value fails)."""
    try:
        __, iterations, salt, __ = (stored or DUMMY_HASH).split("$")
        expected = hash_lookup_code(code, salt, int(iterations))
    except ValueError:
        expected = hash_lookup_code(code, "0" * 32)
    return hmac.compare_digest(expected.encode(), (stored or DUMMY_HASH).encode()) and bool(stored)


def normalize_lookup_code(code):
    return "".join((code or "").split()).upper()


class CcLookupMixin(models.AbstractModel):
    """A short random lookup password, stored hashed, to check the status without an account."""

    _name = "cc.lookup.mixin"
    _description = "Public Lookup Password"

    cc_lookup_hash = fields.Char(string="Lookup Password Hash", copy=False, groups="base.group_system")
    cc_lookup_template_xmlid = ""

    @api.model_create_multi
    def create(self, vals_list):
        records = super().create(vals_list)
        records._cc_new_lookup_codes()
        return records

    def action_cc_new_lookup_password(self):
        """A new code, e-mailed to the customer and shown once to the agent (who may read it out)."""
        self.ensure_one()
        self.check_access("write")
        code = self._cc_new_lookup_codes()[self]
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "title": self.env._("New lookup password"),
                "message": self.env._("Lookup password of %(name)s: %(code)s", name=self.name, code=code),
                "sticky": True,
                "type": "info",
            },
        }

    def _cc_new_lookup_codes(self):
        """Sets a fresh code on each record and e-mails it; returns {record: code}, never stored in clear."""
        codes = {}
        for record in self:
            code = "".join(secrets.choice(CODE_ALPHABET) for __ in range(CODE_LENGTH))
            # sudo: the hash field is hidden from everyone but the system group
            record.sudo().cc_lookup_hash = hash_lookup_code(code)
            record._cc_send_lookup_code(code)
            codes[record] = code
        return codes

    def _cc_send_lookup_code(self, code):
        template = self.env.ref(self.cc_lookup_template_xmlid, raise_if_not_found=False)
        if template and self._cc_lookup_partner().email:
            # sudo: the customer's e-mail is sent whoever creates the record (an agent, an import, a cron)
            template.sudo().with_context(cc_lookup_code=code).send_mail(self.id)

    def _cc_lookup_partner(self):
        return self.partner_id

    def _cc_check_lookup_code(self, code):
        # sudo: the hash is readable by the system group only
        return verify_lookup_code(code, self.sudo().cc_lookup_hash)

    @api.model
    def _cc_find_by_number(self, number):
        # sudo: the public lookup searches every company's numbers; the password guards each record
        return self.sudo().search([("name", "=", number)], limit=2) if number else self

    def _cc_lookup_status(self):
        """The status shown to the customer."""
        raise NotImplementedError()

    def _cc_lookup_history(self):
        """The processing history, oldest first: [{date, title, note}]."""
        raise NotImplementedError()
