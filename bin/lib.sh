# Shared by bin/test and bin/demo: find Odoo 19 and PostgreSQL, or say clearly what is missing.
# Odoo is a prerequisite (like PostgreSQL): see README.md, "Prerequisites".

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
ADDONS="$ROOT/addons"
export PGHOST=${PGHOST:-127.0.0.1} PGPORT=${PGPORT:-5432} PGUSER=${PGUSER:-$(id -un)}

die() {
    printf '\nERROR: %s\n\n' "$1" >&2
    exit "${2:-2}"
}

# The Python that can import Odoo 19: $ODOO_PYTHON, else /opt/odoo-venv, else python3.
find_odoo_python() {
    local candidate
    for candidate in "${ODOO_PYTHON:-}" /opt/odoo-venv/bin/python python3; do
        [ -n "$candidate" ] || continue
        if command -v "$candidate" >/dev/null 2>&1 &&
            "$candidate" -c 'import odoo.release, sys; sys.exit(odoo.release.version_info[0] != 19)' 2>/dev/null; then
            ODOO_PYTHON=$(command -v "$candidate")
            return 0
        fi
    done
    die "Odoo 19 was not found. Install Odoo 19.0 Community (official packages, the odoo:19 image, or the source with
       its requirements) and point ODOO_PYTHON at the Python that can 'import odoo' (tried: \${ODOO_PYTHON},
       /opt/odoo-venv/bin/python, python3). See README.md, Prerequisites."
}

# Odoo's own addons folders, from the installed package (source checkout or Debian package layout).
odoo_core_addons() {
    "$ODOO_PYTHON" - <<'PY'
import os, odoo.init
pkg = os.path.dirname(odoo.init.__file__)
paths = [os.path.join(pkg, "addons"), os.path.join(os.path.dirname(pkg), "addons")]
print(",".join(p for p in paths if os.path.isfile(os.path.join(p, "web", "__manifest__.py")) or os.path.isfile(os.path.join(p, "base", "__manifest__.py"))))
PY
}

# odoo-bin equivalent: Odoo 19 runs as `python -m odoo`.
odoo_cmd() {
    "$ODOO_PYTHON" -m odoo "$@"
}

check_python_deps() {
    "$ODOO_PYTHON" -c 'import panoramisk, phonenumbers, xlsxwriter, websocket' 2>/dev/null ||
        die "The suite's Python dependencies are missing from Odoo's environment. Run:
       $ODOO_PYTHON -m pip install -r $ROOT/requirements.txt"
}

check_postgres() {
    "$ODOO_PYTHON" - <<'PY' || die "PostgreSQL is not reachable at $PGHOST:$PGPORT as role '$PGUSER' (trust or ~/.pgpass).
       Start it (e.g. pg_ctlcluster 15 main start) or set PGHOST/PGPORT/PGUSER/PGPASSWORD. See README.md."
import sys, psycopg2
try:
    psycopg2.connect(dbname="postgres", connect_timeout=5).close()
except Exception as exc:
    print(f"  ({exc.__class__.__name__}: {str(exc).strip()})", file=sys.stderr)
    sys.exit(1)
PY
}

free_port() {
    "$ODOO_PYTHON" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

ALL_ADDONS=callcenter_cti,callcenter_crm,callcenter_coupon,callcenter_campaign,callcenter_knowledge

drop_database() {
    "$ODOO_PYTHON" - "$1" <<'PY' || echo "warning: could not drop database $1" >&2
import sys, psycopg2
conn = psycopg2.connect(dbname="postgres")
conn.autocommit = True
conn.cursor().execute('DROP DATABASE IF EXISTS "%s" WITH (FORCE)' % sys.argv[1].replace('"', ''))
PY
    rm -rf "${HOME:-/root}/.local/share/Odoo/filestore/$1"
}

# The recorded Asterisk transcripts: $CALLCENTER_FIXTURES, else ../shared/fixtures/ami beside this checkout,
# else beside the repository this one was cloned from (a CI clone in a temporary folder). Exported for the tests.
find_fixtures() {
    local origin candidate
    origin=$(git -C "$ROOT" remote get-url origin 2>/dev/null || true)
    for candidate in "${CALLCENTER_FIXTURES:-}" "$ROOT/../shared/fixtures/ami" "${origin:+$origin/../shared/fixtures/ami}"; do
        if [ -n "$candidate" ] && [ -f "$candidate/README.md" ]; then
            CALLCENTER_FIXTURES=$(cd "$candidate" && pwd)
            export CALLCENTER_FIXTURES
            return 0
        fi
    done
    die "The recorded AMI transcripts were not found (../shared/fixtures/ami beside the checkout or its origin).
       Set CALLCENTER_FIXTURES to their folder. See README.md, Prerequisites."
}
