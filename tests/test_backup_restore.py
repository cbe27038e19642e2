"""Backups (ops/backup.py): the retention keeps the right ones, and a backup restores into a new database
that works (the restore drill of the operations guide, done for real on this run's database)."""

import datetime
import os
import subprocess
import sys
import uuid

from conftest import ROOT

sys.path.insert(0, os.path.join(ROOT, "ops"))
import backup as ops_backup  # noqa: E402


def fake_backup(dest, kind, db, when):
    folder = os.path.join(dest, kind, f"{db}-{when:%Y%m%dT%H%M%SZ}")
    os.makedirs(folder)
    return folder


def test_retention_keeps_the_newest_of_each_kind(tmp_path):
    start = datetime.datetime(2026, 1, 1, 2, 0)
    for day in range(40):
        fake_backup(tmp_path, "daily", "cc", start + datetime.timedelta(days=day))
    fake_backup(tmp_path, "daily", "other", start)  # another database's backups are not touched
    deleted = ops_backup.prune(os.path.join(tmp_path, "daily"), "cc", 7)
    assert len(deleted) == 33
    kept = sorted(os.listdir(tmp_path / "daily"))
    assert (
        kept[0] == "cc-20260203T020000Z"
        and kept[-2] == "cc-20260209T020000Z"
        and kept[-1].startswith("other")
    )


def test_first_backup_of_a_week_and_month_is_kept_longer(tmp_path):
    for day in (1, 2, 5, 6):  # Thu 1 Jan, Fri 2, Mon 5 (new ISO week), Tue 6
        when = datetime.datetime(2026, 1, day, 2, 0, tzinfo=datetime.UTC)
        ops_backup._promote(str(tmp_path), fake_backup(tmp_path, "daily", "cc", when), when)
    assert sorted(os.listdir(tmp_path / "weekly")) == ["cc-20260101T020000Z", "cc-20260105T020000Z"]
    assert os.listdir(tmp_path / "monthly") == ["cc-20260101T020000Z"]


def test_mirror_copies_new_recordings_and_keeps_deleted_ones(tmp_path):
    source, target = tmp_path / "spool", tmp_path / "copy"
    (source / "2026").mkdir(parents=True)
    (source / "2026" / "a.wav").write_bytes(b"RIFF-a")
    assert ops_backup.mirror(str(source), str(target)) == 1
    assert ops_backup.mirror(str(source), str(target)) == 0  # unchanged: not copied again
    (source / "2026" / "a.wav").unlink()
    ops_backup.mirror(str(source), str(target))
    assert (target / "2026" / "a.wav").read_bytes() == b"RIFF-a"


def test_backup_then_restore_into_a_new_database(tmp_path, registry):
    source = os.environ["CALLCENTER_TEST_DB"]
    data_dir = tmp_path / "data"
    (data_dir / "filestore" / source / "ab").mkdir(parents=True)
    (data_dir / "filestore" / source / "ab" / "abcdef").write_bytes(b"attachment")
    folder = ops_backup.backup(source, str(tmp_path / "backups"), str(data_dir))
    restored = f"cc_restore_{uuid.uuid4().hex[:8]}"
    try:
        ops_backup.restore(folder, restored, str(data_dir))
        assert (data_dir / "filestore" / restored / "ab" / "abcdef").read_bytes() == b"attachment"
        assert smoke(restored) == smoke(source)
    finally:
        subprocess.run(["dropdb", "--if-exists", restored], check=False)


def smoke(db):
    """What a working call center database answers: its modules load, its calls and agents are there."""
    from odoo import SUPERUSER_ID, api  # noqa: PLC0415
    from odoo.modules.registry import Registry  # noqa: PLC0415

    with Registry(db).cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        return (
            env["cc.call"].search_count([]),
            env["cc.agent"].search_count([]),
            env["cc.queue"].search_count([]),
        )
