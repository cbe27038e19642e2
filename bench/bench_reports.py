"""Call-center reports at scale: builds calls (with agents rung and agent state logs) by SQL generate_series,
then times a day's and a month's agent KPIs and queue report, and a large Excel export.

Usage: python bench/bench_reports.py [--db cc_bench_reports] [--calls 10000000] [--per-day 27400]
       [--export-rows 1000000]
Targets: each report query <= 1 s; the export >= 50,000 rows/s with a peak memory < 300 MB.
Calls are spread at --per-day a day (10M calls: a year), so a day and a month hold the same volume at any
scale.
"""

import argparse
import datetime
import os
import resource
import tempfile
import time

from benchlib import addons_path, ensure_database

START = datetime.datetime(2025, 1, 1)
AGENTS, QUEUES = 200, 10

CALLS_SQL = """
INSERT INTO cc_call (server_id, company_id, linkedid, direction, state, caller_raw, customer_e164, did,
                     queue_id, agent_id, user_id, start, queue_entry, answer, "end", wait_s, ring_s, talk_s,
                     hold_s, wrapup_s, disposition, survey_score, queue_position_entry,
                     queue_position_abandon, recording_state, create_date, write_date)
SELECT %(server)s, 1, 'b' || g, 'inbound', 'ended', '138' || lpad((g %% 9999991)::text, 8, '0'),
       '+86138' || lpad((g %% 9999991)::text, 8, '0'), '4008001234', q.id,
       CASE WHEN r < 0.85 THEN a.id END, CASE WHEN r < 0.85 THEN a.user_id END,
       t, t, CASE WHEN r < 0.85 THEN t + w * interval '1 second' END,
       t + (w + talk) * interval '1 second', w, 4, CASE WHEN r < 0.85 THEN talk END,
       CASE WHEN r < 0.1 THEN 20 ELSE 0 END, CASE WHEN r < 0.85 THEN 15 END,
       CASE WHEN r < 0.85 THEN 'answered' WHEN r < 0.95 THEN 'abandoned' ELSE 'voicemail' END,
       CASE WHEN r < 0.3 THEN 1 + (g %% 5) ELSE 0 END, 1 + (g %% 4), 1 + (g %% 3), 'live', t, t
  FROM (SELECT g, random() r, (random() * 60)::int w, 30 + (random() * 300)::int talk,
               %(start)s::timestamp + g * %(step)s * interval '1 second' t,
               (%(agents)s::int[])[1 + (g %% %(nagents)s)] agent,
               (%(queues)s::int[])[1 + (g %% %(nqueues)s)] queue
          FROM generate_series(1, %(calls)s) g) s
  JOIN cc_agent a ON a.id = s.agent
  JOIN cc_queue q ON q.id = s.queue
"""
ATTEMPTS_SQL = """
INSERT INTO cc_call_attempt (call_id, agent_id, extension, queue_id, start, "end", ring_s, outcome)
SELECT c.id, c.agent_id, '', c.queue_id, c.start + (c.wait_s - 4) * interval '1 second', c.answer, 4,
       'answered'
  FROM cc_call c WHERE c.agent_id IS NOT NULL
 UNION ALL
SELECT c.id, (%(agents)s::int[])[1 + (c.id * 7 %% %(nagents)s)], '', c.queue_id, c.start,
       c.start + interval '5 s', 5, 'ring_no_answer'
  FROM cc_call c WHERE c.id %% 5 = 0
"""
STATES_SQL = """
INSERT INTO cc_agent_state_log (agent_id, user_id, server_id, company_id, state, call_id, start, "end",
                                duration)
SELECT c.agent_id, c.user_id, c.server_id, 1, s.state, c.id, s.b, s.e, EXTRACT(EPOCH FROM s.e - s.b)
  FROM cc_call c,
       LATERAL (VALUES ('ready', c.start - interval '60 s', c.answer - interval '4 s'),
                       ('ringing', c.answer - interval '4 s', c.answer),
                       ('on_call', c.answer, c."end"),
                       ('wrap_up', c."end", c."end" + interval '15 s')) s(state, b, e)
 WHERE c.agent_id IS NOT NULL
    ON CONFLICT DO NOTHING
"""


def populate(cr, server_id, agents, queues, calls, per_day):
    """Calls (85 % answered, 10 % abandoned, 5 % voicemail), the answering agent rung (and another agent on
    one call in five), and per answered call the agent's ready, ringing, on-call and wrap-up states."""
    cr.execute("SELECT setseed(0.42)")
    params = {
        "server": server_id,
        "start": START,
        "step": 86400.0 / per_day,
        "calls": calls,
        "agents": agents,
        "nagents": len(agents),
        "queues": queues,
        "nqueues": len(queues),
    }
    cr.execute(CALLS_SQL, params)
    cr.execute(ATTEMPTS_SQL, params)
    cr.execute(STATES_SQL)


def timed(label, fn, target=None):
    began = time.perf_counter()
    result = fn()
    elapsed = time.perf_counter() - began
    verdict = ""
    if target is not None:
        verdict = f"  (target <= {target:.1f} s: {'met' if elapsed <= target else 'MISSED'})"
    print(f"{label:<62} {elapsed:8.3f} s{verdict}", flush=True)
    return result, elapsed


def bench_setup(env):
    """The bench PBX server, its agents (with users) and queues."""
    server = env["cc.pbx.server"].search([("name", "=", "Bench")], limit=1) or env["cc.pbx.server"].create(
        {"name": "Bench", "host": "127.0.0.1", "port": 5038}
    )
    agents = env["cc.agent"].search([("server_id", "=", server.id)])
    if len(agents) < AGENTS:
        users = env["res.users"].create(
            [{"name": f"Bench agent {i}", "login": f"bench{i}"} for i in range(len(agents), AGENTS)]
        )
        agents |= env["cc.agent"].create(
            [
                {"name": u.name, "extension": str(9000 + i), "user_id": u.id, "server_id": server.id}
                for i, u in enumerate(users, start=len(agents))
            ]
        )
    queues = env["cc.queue"].search([("server_id", "=", server.id)])
    if len(queues) < QUEUES:
        queues |= env["cc.queue"].create(
            [
                {"name": f"Q{i}", "ami_name": f"q{i}", "server_id": server.id}
                for i in range(len(queues), QUEUES)
            ]
        )
    env.flush_all()
    return server, agents, queues


def build(env, calls, per_day):
    cr = env.cr
    cr.execute("SELECT count(*) FROM cc_call WHERE linkedid LIKE 'b%%'")
    if cr.fetchone()[0] == calls:
        print(f"{calls:,} calls already built", flush=True)
        for model in ("cc.report.agent.kpi", "cc.report.queue"):
            if not env[model]._cc_refresh_mark():
                timed(f"full build of {model}", lambda model=model: env[model].cc_refresh(full=True))
        cr.commit()
        return
    cr.execute(
        "TRUNCATE cc_call, cc_call_attempt, cc_agent_state_log, cc_report_agent_kpi, cc_report_queue CASCADE"
    )
    server, agents, queues = bench_setup(env)
    timed(
        f"build {calls:,} calls, agents rung, state logs (SQL)",
        lambda: populate(cr, server.id, agents.ids, queues.ids, calls, per_day),
    )
    cr.execute("ANALYZE cc_call; ANALYZE cc_call_attempt; ANALYZE cc_agent_state_log")
    cr.execute(
        "SELECT (SELECT count(*) FROM cc_call), (SELECT count(*) FROM cc_call_attempt), "
        "(SELECT count(*) FROM cc_agent_state_log)"
    )
    counts = [f"{n:,}" for n in cr.fetchone()]
    print("rows: calls {}, agents rung {}, agent state logs {}".format(*counts), flush=True)
    for model in ("cc.report.agent.kpi", "cc.report.queue"):
        timed(f"full build of {model}", lambda model=model: env[model].cc_refresh(full=True))
    cr.execute("ANALYZE cc_report_agent_kpi; ANALYZE cc_report_queue")
    cr.commit()


KPI = ["offered:sum", "answered:sum", "missed:sum", "answer_rate:sum", "talk_s:sum", "aht_s:sum",
       "occupancy:sum", "paused_s:sum", "avg_score:sum"]  # fmt: skip
QUEUE = ["offered:sum", "answered:sum", "abandoned:sum", "service_level:sum", "asa_s:sum", "aht_s:sum",
         "max_wait_s:max"]  # fmt: skip


def bench_queries(env):
    day = START.date() + datetime.timedelta(days=20)
    month = (START.date(), START.date() + datetime.timedelta(days=29))  # 30 days
    periods = {"day": [("date", "=", day)], "month": [("date", ">=", month[0]), ("date", "<=", month[1])]}
    kpi, queue = env["cc.report.agent.kpi"], env["cc.report.queue"]
    for name, domain in periods.items():
        env.invalidate_all()
        timed(f"agent KPIs, a {name}, by agent", lambda d=domain: kpi._read_group(d, ["agent_id"], KPI), 1.0)
        timed(f"agent KPIs, a {name}, by agent and day", lambda d=domain: kpi._read_group(d, ["agent_id", "date:day"], KPI), 1.0)  # fmt: skip  # noqa: E501
        timed(
            f"queue report, a {name}, by queue",
            lambda d=domain: queue._read_group(d, ["queue_id"], QUEUE),
            1.0,
        )
        timed(f"queue report, a {name}, by hour of day", lambda d=domain: queue._read_group(d, ["hour"], QUEUE), 1.0)  # fmt: skip  # noqa: E501
        timed(f"queue report, a {name}, by weekday", lambda d=domain: queue._read_group(d, ["weekday"], QUEUE), 1.0)  # fmt: skip  # noqa: E501
    begin = datetime.datetime.combine(day, datetime.time())
    domain = [("start", ">=", begin), ("start", "<", begin + datetime.timedelta(days=1))]
    timed(
        "call detail (live view), a day, by hour",
        lambda: env["cc.report.call"]._read_group(domain, ["hour"], ["call_count:sum", "answer_rate:sum"]),
    )


def bench_incremental(env):
    cr = env.cr
    cr.execute(
        "UPDATE cc_call SET write_date = now() AT TIME ZONE 'UTC', survey_score = 5 "
        "WHERE id IN (SELECT id FROM cc_call ORDER BY id DESC LIMIT 1000)"
    )
    for model in ("cc.report.agent.kpi", "cc.report.queue"):
        timed(
            f"incremental refresh of {model} (1,000 calls changed)",
            lambda model=model: env[model].cc_refresh(),
        )
    cr.rollback()


def bench_export(env, per_day, rows):
    from odoo.addons.callcenter_cti.wizards.cc_report_export_wizard import EXPORTS  # noqa: PLC0415

    end = START + datetime.timedelta(seconds=(rows + 0.5) * 86400.0 / per_day)
    domain = [("start", ">=", START), ("start", "<", end)]
    fd, path = tempfile.mkstemp(suffix=".xlsx")
    os.close(fd)
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    wizard = env["cc.report.export.wizard"]
    cpu = time.process_time()
    count, elapsed = timed(
        "Excel export of the call detail", lambda: wizard._cc_write_workbook(EXPORTS["call"], domain, path)
    )
    cpu = time.process_time() - cpu
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    rate = count / elapsed
    print(
        f"export: {cpu:.1f} s of this process's CPU ({count / cpu:,.0f} rows per CPU second); load average ",
        end="",
    )
    print("{:.1f} {:.1f} {:.1f}".format(*os.getloadavg()))
    size = os.path.getsize(path) / 1e6
    os.unlink(path)
    verdict = "met" if rate >= 50000 else "MISSED"
    print(f"export: {count:,} rows, {rate:,.0f} rows/s (target >= 50,000: {verdict})")
    print(f"export: file {size:.1f} MB; process peak RSS {peak:.0f} MB (before the export {before:.0f} MB)")
    print(f"export: peak memory target < 300 MB: {'met' if peak < 300 else 'MISSED'}", flush=True)


def main():
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--db", default="cc_bench_reports")
    parser.add_argument("--calls", type=int, default=10_000_000)
    parser.add_argument("--per-day", type=int, default=27_400)
    parser.add_argument("--export-rows", type=int, default=1_000_000)
    args = parser.parse_args()
    path = addons_path()
    ensure_database(args.db, path, "callcenter_cti")
    from odoo.tools import config  # noqa: PLC0415

    config.parse_config([f"--addons-path={path}", "--log-level", "warn"], setup_logging=True)
    from odoo import SUPERUSER_ID, api  # noqa: PLC0415
    from odoo.modules.registry import Registry  # noqa: PLC0415

    registry = Registry(args.db)
    days = args.calls / args.per_day
    print(f"scale: {args.calls:,} calls at {args.per_day:,} a day ({days:.0f} days), ", end="")
    print(f"{AGENTS} agents, {QUEUES} queues", flush=True)
    with registry.cursor() as cr:
        build(api.Environment(cr, SUPERUSER_ID, {}), args.calls, args.per_day)
    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        bench_queries(env)
        bench_incremental(env)
        bench_export(env, args.per_day, min(args.export_rows, args.calls))


if __name__ == "__main__":
    main()
