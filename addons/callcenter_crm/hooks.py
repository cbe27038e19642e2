from odoo.tools import SQL


def post_init_hook(env):
    """The partners that existed before the install get their customer code too.

    One UPDATE drawing from the sequence's PostgreSQL sequence: a database may already hold a million
    partners, an ORM write per partner would take hours.
    """
    sequence = env.ref("callcenter_crm.ir_sequence_cc_customer_code")
    env.cr.execute(
        SQL(
            """
            UPDATE res_partner
               SET cc_code = %(prefix)s || lpad(nextval(%(pg_sequence)s)::text, %(padding)s, '0')
             WHERE cc_code IS NULL
            """,
            prefix=sequence.prefix or "",
            pg_sequence=f"ir_sequence_{sequence.id:03d}",
            padding=sequence.padding,
        )
    )
    env["res.partner"].invalidate_model(["cc_code"])
