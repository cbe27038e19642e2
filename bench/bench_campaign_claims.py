"""Preview-dialing claims under contention: ``--agents`` agents (threads, each with its own database
connection, spread over ``--processes`` processes) take batches of ``--batch`` targets of one campaign as fast
as they can, until the campaign's ``--targets`` targets are taken. A claim is what the agent's request runs:
``cc.campaign.target._cc_claim`` (an UPDATE over a ``FOR UPDATE SKIP LOCKED`` selection in a short READ
COMMITTED transaction of its own), then the request's COMMIT.

Prints claims per second, targets per second, latency of a claim (p50 / p99 / max, claim + commit; target
p99 <= 20 ms) and the duplicate count: targets handed to more than one claimer (must be 0), checked from what
the claimers received and from the database (every target claimed once, by the agent that received it).

Usage: /opt/odoo-venv/bin/python bench/bench_campaign_claims.py [--db bench_campaign] [--agents 100]
    [--processes 4] [--targets 20000] [--batch 5] [--interval 0]
``--interval 0`` measures the saturated throughput (latency is then queueing: agents / throughput);
``--interval S`` paces each agent (one claim every S seconds) to measure latency under that load.
PostgreSQL needs max_connections >= 2 x agents + 10 (each agent's connection and its claim's).
The database is created (callcenter_campaign, no demo data) when missing. Prints its figures; no asserts.
"""

import argparse
import collections
import logging
import multiprocessing
import random
import sys
import threading
import time

from benchlib import addons_path, ensure_database

TARGET_P99_MS = 20


def setup(db, agents, targets):
    """A fresh running campaign with ``targets`` targets and ``agents`` agents: (campaign id, agent ids)."""
    import odoo  # noqa: PLC0415
    from odoo import api  # noqa: PLC0415

    registry = odoo.modules.registry.Registry(db)
    with registry.cursor() as cr:
        env = api.Environment(cr, odoo.SUPERUSER_ID, {})
        env["cc.campaign"].search([("code", "=", "bench-claims")]).unlink()
        server = env["cc.pbx.server"].search([("name", "=", "Bench claims")], limit=1) or env[
            "cc.pbx.server"
        ].create({"name": "Bench claims", "host": "127.0.0.1", "port": 5038})
        existing = env["cc.agent"].search([("server_id", "=", server.id)])
        have = {agent.extension for agent in existing}
        env["cc.agent"].create(
            [
                {"name": f"Bench {n}", "extension": str(n), "server_id": server.id}
                for n in range(70001, 70001 + agents)
                if str(n) not in have
            ]
        )
        agent_ids = (
            env["cc.agent"].search([("server_id", "=", server.id)], order="extension", limit=agents).ids
        )
        campaign = env["cc.campaign"].create(
            {"name": "Bench claims", "code": "bench-claims", "state": "running"}
        )
        # Plain rows (the import's result): the bench measures claiming, not customer matching.
        cr.execute(
            """
            INSERT INTO cc_campaign_target (campaign_id, company_id, name, number, number_e164, state,
                                            sequence, attempt_count, create_date, write_date, create_uid,
                                            write_uid)
            SELECT %s, %s, 'Target ' || n, '+1555' || lpad(n::text, 7, '0'), '+1555' || lpad(n::text, 7, '0'),
                   'pending', 10, 0, now(), now(), 1, 1
              FROM generate_series(1, %s) n
            """,
            (campaign.id, campaign.company_id.id, targets),
        )
        cr.execute("ANALYZE cc_campaign_target")
        return campaign.id, agent_ids


def agent_loop(db, campaign_id, agent_id, batch, start, out, interval):
    """One agent: claim until nothing is left, ``interval`` seconds apart (0: flat out, with a random
    first delay otherwise); records (start stamp, latency s, agent, ids, retries) per claim."""
    import odoo  # noqa: PLC0415
    from odoo import api, sql_db  # noqa: PLC0415

    cr = sql_db.db_connect(db).cursor()
    try:
        env = api.Environment(cr, odoo.SUPERUSER_ID, {})
        campaign, agent = env["cc.campaign"].browse(campaign_id), env["cc.agent"].browse(agent_id)
        Target = env["cc.campaign.target"]
        start.wait()
        rng = random.Random(agent_id)
        time.sleep(rng.uniform(0, interval))
        while True:
            stamp, began = time.time(), time.perf_counter()
            ids, retries = claim_retrying(cr, env, Target, campaign, agent, batch)
            out.append((stamp, time.perf_counter() - began, agent_id, ids, retries))
            if not ids:
                return
            time.sleep(interval)
    finally:
        cr.close()


def claim_retrying(cr, env, Target, campaign, agent, batch):
    """One claim and its commit; a serialization failure is run again in a fresh transaction, as Odoo runs
    a request again (a row another claimer committed after this transaction's snapshot)."""
    import psycopg2  # noqa: PLC0415

    retries = 0
    while True:
        try:
            ids = Target._cc_claim(campaign, batch, agent).ids
            cr.commit()  # pylint: disable=invalid-commit
            return ids, retries
        except psycopg2.errors.SerializationFailure:
            cr.rollback()
            retries += 1
        finally:
            env.invalidate_all()


def process_main(db, path, campaign_id, agent_ids, batch, barrier, queue, interval):
    """A worker process: one thread per agent, all released together."""
    import odoo  # noqa: PLC0415

    odoo.tools.config.parse_config([f"--addons-path={path}", "-d", db])
    logging.getLogger("odoo.sql_db").setLevel(logging.CRITICAL)  # serialization failures are counted
    odoo.modules.registry.Registry(db)
    start = threading.Barrier(len(agent_ids) + 1)
    out = []
    threads = [
        threading.Thread(target=agent_loop, args=(db, campaign_id, agent, batch, start, out, interval))
        for agent in agent_ids
    ]
    for thread in threads:
        thread.start()
    barrier.wait()  # every process ready
    start.wait()
    for thread in threads:
        thread.join()
    queue.put(out)


def check_database(db, campaign_id, received):
    """Duplicates as the database sees them: targets whose agent is not the one that received them."""
    import psycopg2  # noqa: PLC0415

    with psycopg2.connect(dbname=db) as conn, conn.cursor() as cur:
        cur.execute(
            "SELECT id, agent_id, state FROM cc_campaign_target WHERE campaign_id = %s", (campaign_id,)
        )
        rows = cur.fetchall()
    unclaimed = sum(1 for _id, _agent, state in rows if state != "claimed")
    mismatched = sum(1 for target_id, agent, _state in rows if received.get(target_id) != agent)
    return len(rows), unclaimed, mismatched


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", default="bench_campaign")
    parser.add_argument("--agents", type=int, default=100)
    parser.add_argument("--processes", type=int, default=4)
    parser.add_argument("--targets", type=int, default=20000)
    parser.add_argument("--batch", type=int, default=5)
    parser.add_argument(
        "--interval", type=float, default=0.0, help="seconds between an agent's claims (0: flat out)"
    )
    args = parser.parse_args()
    path = addons_path()
    ensure_database(args.db, path, "callcenter_campaign")
    import odoo  # noqa: PLC0415

    odoo.tools.config.parse_config([f"--addons-path={path}", "-d", args.db])
    campaign_id, agent_ids = setup(args.db, args.agents, args.targets)
    odoo.sql_db.close_all()
    groups = [agent_ids[i :: args.processes] for i in range(args.processes)]
    context = multiprocessing.get_context("fork")
    barrier, queue = context.Barrier(args.processes), context.Queue()
    workers = [
        context.Process(
            target=process_main,
            args=(args.db, path, campaign_id, group, args.batch, barrier, queue, args.interval),
        )
        for group in groups
        if group
    ]
    for worker in workers:
        worker.start()
    results = [claim for _ in workers for claim in queue.get()]
    for worker in workers:
        worker.join()
    # From the first claim sent to the last answered (process start-up excluded).
    elapsed = max(r[0] + r[1] for r in results) - min(r[0] for r in results)
    code = report(args, campaign_id, [r[1:] for r in results], elapsed)
    drop_campaign(args.db, campaign_id)
    return code


def drop_campaign(db, campaign_id):
    """The bench's campaign and targets go (its agents stay for the next run)."""
    import psycopg2  # noqa: PLC0415

    with psycopg2.connect(dbname=db) as conn, conn.cursor() as cur:
        cur.execute("DELETE FROM cc_campaign WHERE id = %s", (campaign_id,))


def report(args, campaign_id, results, elapsed):
    retries = sum(r[3] for r in results)
    claims = [(latency, agent, ids) for latency, agent, ids, _retries in results if ids]
    latencies = sorted(latency * 1000 for latency, _agent, _ids in claims)
    counts = collections.Counter(target for _lat, _agent, ids in claims for target in ids)
    duplicates = sum(count - 1 for count in counts.values() if count > 1)
    received = {target: agent for _lat, agent, ids in claims for target in ids}
    total, unclaimed, mismatched = check_database(args.db, campaign_id, received)

    def pct(p):
        return latencies[min(len(latencies) - 1, int(p / 100 * len(latencies)))] if latencies else 0.0

    print(
        f"agents={args.agents} processes={args.processes} batch={args.batch} targets={total} "
        f"interval={args.interval}s elapsed={elapsed:.2f}s"
    )
    rate, target_rate = len(claims) / elapsed, sum(counts.values()) / elapsed
    print(f"claims={len(claims)} claims/s={rate:.0f} targets/s={target_rate:.0f}")
    print(
        f"latency ms: p50={pct(50):.1f} p99={pct(99):.1f} max={latencies[-1] if latencies else 0:.1f} "
        f"(target p99 <= {TARGET_P99_MS} ms: {'met' if pct(99) <= TARGET_P99_MS else 'NOT met'})"
    )
    print(f"serialization retries={retries} ({100 * retries / max(1, len(results)):.1f}% of claims)")
    print(f"duplicates={duplicates} (received) db: unclaimed={unclaimed} mismatched={mismatched}")
    return 0 if duplicates == 0 and mismatched == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
