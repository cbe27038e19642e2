"""Caller lookup at 1,000,000 customers: indexed E.164 equality against OCA base_phone's ``ilike``.

Every customer has a mobile in ``res.partner.phone`` and one or two ``cc.partner.phone`` lines (a Beijing
landline typed ``010-xxxxxxxx``, a second mobile for one in two), generated with INSERT ... SELECT
generate_series (the ORM would take hours). The bench then times, in the same run and on the same data:

- ``res.partner._cc_find_by_e164`` after normalising the number (``phone.to_e164``, cache bypassed) as the
  carrier delivered it (13800138000, +8613800138000, 8613800138000, 013800138000, 010-12345678 ...), for
  random existing and missing numbers: what the bridge and the UI do;
- the same lookup the way OCA base_phone does it: ``ilike`` on the last 8 digits of the raw phone columns.

Usage: python bench/bench_caller_lookup.py [--db crm_bench] [--customers 1000000] [--samples 2000]
The database is created (callcenter_crm, no demo data) when missing, the customers when fewer. Prints p50/p99
of both and their ratio; no asserts.
"""

import argparse
import random
import statistics
import time

from benchlib import addons_path, ensure_database

# Generated customers are numbered from here: mobile 138/139 + 8 digits, landline 010 + 8 digits.
MARK = "BENCH"


def populate(cr, customers):
    """Adds generated customers until there are ``customers`` of them (SQL only, then ANALYZE)."""
    cr.execute("SELECT count(*) FROM res_partner WHERE ref = %s", (MARK,))
    have = cr.fetchone()[0]
    if have >= customers:
        return
    print(f"generating customers {have + 1:,} .. {customers:,} ...", flush=True)
    started = time.perf_counter()
    cr.execute("SELECT id FROM res_company ORDER BY id LIMIT 1")
    company_id = cr.fetchone()[0]
    cr.execute(
        """
        INSERT INTO res_partner (name, complete_name, ref, cc_code, phone, cc_phone_e164, company_id, active,
                                 type, is_company, autopost_bills, lang, create_date, write_date)
        SELECT '客户 ' || i, '客户 ' || i, %(mark)s, 'B' || lpad(i::text, 8, '0'),
               '138' || lpad(i::text, 8, '0'), '+86138' || lpad(i::text, 8, '0'), %(company)s, true,
               'contact', false, 'ask', 'zh_CN', now(), now()
          FROM generate_series(%(first)s, %(last)s) AS i
        """,
        {"mark": MARK, "company": company_id, "first": have + 1, "last": customers},
    )
    cr.execute(
        """
        INSERT INTO cc_partner_phone (partner_id, company_id, sequence, kind, number, number_e164,
                                      create_date, write_date)
        SELECT p.id, p.company_id, 10, 'home', '010-' || substr(p.cc_code, 2),
               '+8610' || substr(p.cc_code, 2), now(), now()
          FROM res_partner p
         WHERE p.ref = %(mark)s AND substr(p.cc_code, 2)::int BETWEEN %(first)s AND %(last)s
        UNION ALL
        SELECT p.id, p.company_id, 20, 'mobile', '139' || substr(p.cc_code, 2),
               '+86139' || substr(p.cc_code, 2), now(), now()
          FROM res_partner p
         WHERE p.ref = %(mark)s AND substr(p.cc_code, 2)::int BETWEEN %(first)s AND %(last)s
           AND substr(p.cc_code, 2)::int %% 2 = 0
        """,
        {"mark": MARK, "first": have + 1, "last": customers},
    )
    cr.execute(
        "UPDATE res_partner SET commercial_partner_id = id WHERE ref = %s AND commercial_partner_id IS NULL",
        (MARK,),
    )
    cr.execute("ANALYZE res_partner")
    cr.execute("ANALYZE cc_partner_phone")
    print(f"  {time.perf_counter() - started:.0f} s", flush=True)


def carrier_formats(i, kind):
    """The same number as different carriers deliver it."""
    digits = f"{i:08d}"
    if kind == "landline":
        return [f"010{digits}", f"010-{digits}", f"+8610{digits}", f"8610{digits}", f"0086 10 {digits}"]
    prefix = "138" if kind == "mobile" else "139"
    return [f"{prefix}{digits}", f"+86{prefix}{digits}", f"86{prefix}{digits}", f"0{prefix}{digits}"]


def samples(customers, count, rng):
    """(raw number, exists) pairs: existing mobiles, landlines and second mobiles, and missing numbers."""
    picked = []
    for _ in range(count):
        i = rng.randint(1, customers)
        kind = rng.choice(["mobile", "landline", "second"])
        if kind == "second" and i % 2:
            kind = "missing"  # odd customers have no second mobile: a real miss with a plausible number
        if rng.random() < 0.2:
            i, kind = customers + rng.randint(1, 10_000_000), rng.choice(["mobile", "landline"])
        raw = rng.choice(carrier_formats(i, "landline" if kind == "landline" else kind))
        picked.append(raw)
    return picked


def time_calls(fn, numbers):
    durations = []
    for raw in numbers:
        started = time.perf_counter()
        fn(raw)
        durations.append((time.perf_counter() - started) * 1000)
    return durations


def percentiles(durations):
    ordered = sorted(durations)
    p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]
    return statistics.median(ordered), p99


def main():
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--db", default="crm_bench")
    parser.add_argument("--customers", type=int, default=1_000_000)
    parser.add_argument("--samples", type=int, default=2000, help="indexed lookups timed")
    parser.add_argument("--ilike-samples", type=int, default=100, help="base_phone lookups timed (slow)")
    args = parser.parse_args()
    path = addons_path()
    ensure_database(args.db, path, "callcenter_crm")

    from odoo.tools import config  # noqa: PLC0415

    config.parse_config([f"--addons-path={path}", "--log-level", "warn"], setup_logging=True)
    import psycopg2  # noqa: PLC0415

    from odoo import SUPERUSER_ID, api  # noqa: PLC0415
    from odoo.modules.registry import Registry  # noqa: PLC0415

    from odoo.addons.callcenter_cti.cti import phone  # noqa: PLC0415

    # Its own connection: the generated customers are committed when it closes, they outlive this run.
    with psycopg2.connect(dbname=args.db) as conn, conn.cursor() as cr:
        populate(cr, args.customers)
    registry = Registry(args.db)
    rng = random.Random(19)
    numbers = samples(args.customers, args.samples, rng)
    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        env.company.country_id = env.ref("base.cn")
        Partner = env["res.partner"]
        to_e164 = phone.to_e164.__wrapped__  # the normalisation is timed too, not its cache

        def e164_lookup(raw):
            env.invalidate_all()
            e164 = to_e164(raw, "CN")
            return Partner._cc_find_by_e164([e164]).get(e164, []) if e164 else []

        def base_phone_lookup(raw):
            # OCA base_phone: the last 8 digits, ilike on every raw phone column.
            env.invalidate_all()
            end = "".join(c for c in raw if c.isdigit())[-8:]
            return Partner.search(["|", ("phone", "ilike", end), ("cc_phone_ids.number", "ilike", end)]).ids

        hits = sum(bool(e164_lookup(raw)) for raw in numbers[:200])
        e164_ms = time_calls(e164_lookup, numbers)
        ilike_ms = time_calls(base_phone_lookup, numbers[: args.ilike_samples])
        cr.rollback()

    e50, e99 = percentiles(e164_ms)
    i50, i99 = percentiles(ilike_ms)
    print(f"customers: {args.customers:,}; found {hits}/200 of the sample (about 70% exist)")
    print(
        f"E.164 lookup (_cc_find_by_e164, normalisation included, {len(e164_ms)} numbers): "
        f"p50 {e50:.3f} ms, p99 {e99:.3f} ms"
    )
    print(
        f"base_phone ilike on the last 8 digits ({len(ilike_ms)} numbers): p50 {i50:.1f} ms, p99 {i99:.1f} ms"
    )
    print(f"ratio: p50 {i50 / e50:.0f}x, p99 {i99 / e99:.0f}x")


if __name__ == "__main__":
    main()
