"""What every benchmark needs: Odoo's addons path, and a database with the addon under test installed."""

import os
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def addons_path():
    """This repository's addons, then Odoo's own (source checkout or package layout)."""
    import odoo.init  # noqa: F401, PLC0415  (Odoo is a prerequisite, found at run time)

    package = os.path.dirname(odoo.init.__file__)
    core = [os.path.join(package, "addons"), os.path.join(os.path.dirname(package), "addons")]
    return ",".join([os.path.join(ROOT, "addons")] + [p for p in core if os.path.isdir(p)])


def ensure_database(db, path, module):
    """Create ``db`` with ``module`` installed (no demo data), or bring an existing one up to this code."""
    import psycopg2  # noqa: PLC0415

    with psycopg2.connect(dbname="postgres") as conn, conn.cursor() as cur:
        cur.execute("SELECT 1 FROM pg_database WHERE datname = %s", (db,))
        exists = bool(cur.fetchone())
    print(f"{'updating' if exists else 'creating'} database {db} with {module} ...", flush=True)
    cmd = [sys.executable, "-m", "odoo", f"--addons-path={path}", "-d", db, "-u" if exists else "-i", module]
    subprocess.run(cmd + ["--stop-after-init", "--log-level", "warn", "--no-http"], check=True)
