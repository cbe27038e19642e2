#!/usr/bin/env python3
"""Backups of a call-center deployment, and their restore.

    python ops/backup.py backup  --db DB --dest DIR [--data-dir D] [--recordings DIR] [--keep 7,4,12]
    python ops/backup.py restore --from DIR/daily/<stamp> --db NEWDB [--data-dir D]

A backup is a folder ``<dest>/daily/<db>-<UTC stamp>/`` holding ``db.dump`` (pg_dump custom format)
and ``filestore.tar.gz`` (Odoo's attachments); the first backup of a week also goes to ``weekly/`` and of
a month to ``monthly/`` (hard links: no extra space), and old ones are pruned: 7 daily, 4 weekly and 12
monthly by default. Recordings are mirrored to ``<dest>/recordings`` (new and changed files copied; none
deleted, so the PBX's own retention does not reach the copy). Run it from cron or a systemd timer; the
operations guide (docs/operations.md) has the schedule and the restore drill. Needs pg_dump, pg_restore
and createdb of the server's major version.
"""

import argparse
import datetime
import os
import shutil
import subprocess
import sys
import tarfile

KINDS = ("daily", "weekly", "monthly")


def default_data_dir():
    return os.path.join(os.path.expanduser("~"), ".local", "share", "Odoo")


# -- backup -----------------------------------------------------------------------------------------------
def backup(db, dest, data_dir, recordings=None, keep=(7, 4, 12), now=None):
    now = now or datetime.datetime.now(datetime.UTC)
    folder = os.path.join(dest, "daily", f"{db}-{now:%Y%m%dT%H%M%SZ}")
    os.makedirs(folder)
    dump = os.path.join(folder, "db.dump")
    subprocess.run(["pg_dump", "--format=custom", "--no-owner", "--file", dump, db], check=True)
    _archive_filestore(os.path.join(data_dir, "filestore", db), os.path.join(folder, "filestore.tar.gz"))
    _promote(dest, folder, now)
    for kind, count in zip(KINDS, keep, strict=True):
        prune(os.path.join(dest, kind), db, count)
    if recordings:
        mirror(recordings, os.path.join(dest, "recordings"))
    return folder


def _archive_filestore(source, target):
    with tarfile.open(target, "w:gz") as archive:
        if os.path.isdir(source):
            archive.add(source, arcname="filestore")


def _promote(dest, folder, now):
    """The first backup of an ISO week / a month is also kept as that week's / month's (hard links)."""
    name = os.path.basename(folder)
    db = name.rsplit("-", 1)[0]
    for kind, period in (("weekly", "%G-W%V"), ("monthly", "%Y-%m")):
        kept = os.path.join(dest, kind)
        os.makedirs(kept, exist_ok=True)
        if not any(_period(entry, period) == now.strftime(period) for entry in _backups(kept, db)):
            shutil.copytree(folder, os.path.join(kept, name), copy_function=os.link)


def _backups(folder, db):
    if not os.path.isdir(folder):
        return []
    return sorted(entry for entry in os.listdir(folder) if entry.rsplit("-", 1)[0] == db)


def _stamp(entry):
    return datetime.datetime.strptime(entry.rsplit("-", 1)[1], "%Y%m%dT%H%M%SZ")


def _period(entry, pattern):
    return _stamp(entry).strftime(pattern)


def prune(folder, db, keep):
    """Delete all but the ``keep`` newest backups of ``db`` in ``folder``; returns what was deleted."""
    doomed = _backups(folder, db)[:-keep] if keep else _backups(folder, db)
    for entry in doomed:
        shutil.rmtree(os.path.join(folder, entry))
    return doomed


def mirror(source, target):
    """Copy new and changed files (size or mtime differ); never delete from the copy."""
    copied = 0
    for root, _dirs, files in os.walk(source):
        for name in files:
            src = os.path.join(root, name)
            dst = os.path.join(target, os.path.relpath(src, source))
            if _same(src, dst):
                continue
            os.makedirs(os.path.dirname(dst), exist_ok=True)
            shutil.copy2(src, dst)
            copied += 1
    return copied


def _same(src, dst):
    if not os.path.exists(dst):
        return False
    a, b = os.stat(src), os.stat(dst)
    return a.st_size == b.st_size and int(a.st_mtime) == int(b.st_mtime)


# -- restore ----------------------------------------------------------------------------------------------
def restore(folder, db, data_dir):
    """A new database ``db`` (it must not exist) from a backup folder, with its filestore."""
    subprocess.run(["createdb", db], check=True)
    subprocess.run(["pg_restore", "--no-owner", "--dbname", db, os.path.join(folder, "db.dump")], check=True)
    target = os.path.join(data_dir, "filestore", db)
    with tarfile.open(os.path.join(folder, "filestore.tar.gz")) as archive:
        for member in archive.getmembers():
            if member.name == "filestore" or not member.name.startswith("filestore/"):
                continue
            member.name = member.name.removeprefix("filestore/")
            archive.extract(member, target, filter="data")
    return target


def main(argv=None):
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    sub = parser.add_subparsers(dest="command", required=True)
    make = sub.add_parser("backup")
    make.add_argument("--db", required=True)
    make.add_argument("--dest", required=True)
    make.add_argument("--data-dir", default=default_data_dir())
    make.add_argument("--recordings")
    make.add_argument("--keep", default="7,4,12", help="daily,weekly,monthly backups kept")
    back = sub.add_parser("restore")
    back.add_argument("--from", dest="source", required=True)
    back.add_argument("--db", required=True)
    back.add_argument("--data-dir", default=default_data_dir())
    args = parser.parse_args(argv)
    if args.command == "backup":
        keep = tuple(int(n) for n in args.keep.split(","))
        print(backup(args.db, args.dest, args.data_dir, args.recordings, keep))
    else:
        print(restore(args.source, args.db, args.data_dir))
    return 0


if __name__ == "__main__":
    sys.exit(main())
