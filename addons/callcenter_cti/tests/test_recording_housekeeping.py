import datetime
import os
import tempfile

from freezegun import freeze_time

from odoo.tests import TransactionCase, new_test_user, tagged


@tagged("post_install", "-at_install")
class TestRecordingHousekeeping(TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.live_dir, cls.archive_dir = tempfile.mkdtemp(), tempfile.mkdtemp()
        cls.server = cls.env["cc.pbx.server"].create(
            {
                "name": "Housekeeping",
                "host": "127.0.0.1",
                "recording_dir": cls.live_dir,
                "recording_archive_dir": cls.archive_dir,
                "recording_archive_days": 30,
                "recording_delete_days": 365,
                "recording_min_free_mb": 1,
            }
        )
        cls.manager = new_test_user(cls.env, login="hk_manager", groups="callcenter_cti.group_cc_manager")
        cls.calls = {age: cls._call_with_recording(age) for age in (1, 40, 400)}

    def setUp(self):
        super().setUp()
        # Files are not rolled back with the transaction: every test gets its own folders.
        self.live_dir, self.archive_dir = tempfile.mkdtemp(), tempfile.mkdtemp()
        self.server.write({"recording_dir": self.live_dir, "recording_archive_dir": self.archive_dir})
        for call in self.calls.values():
            with open(os.path.join(self.live_dir, call.recording_file), "wb") as handle:
                handle.write(b"RIFF" + bytes(64))

    @classmethod
    def _call_with_recording(cls, age_days):
        start = datetime.datetime(2026, 11, 1) - datetime.timedelta(days=age_days)
        values = {"linkedid": f"hk.{age_days}", "recording_file": f"rec-{age_days}.wav", "start": start}
        return cls.env["cc.call"].create(values | {"server_id": cls.server.id})

    def test_retention_archives_then_deletes_and_logs(self):
        with freeze_time("2026-11-01 12:00:00"):
            run = self.server._cc_recording_housekeeping()
        self.assertFalse(run.message, run.message)
        self.assertRecordValues(
            run, [{"archived_count": 1, "deleted_count": 1, "error_count": 0, "alarm": False}]
        )
        self.assertEqual(self.calls[1].recording_state, "live")
        self.assertEqual(self.calls[40].recording_state, "archived")
        self.assertEqual(self.calls[400].recording_state, "deleted")
        self.assertEqual(sorted(os.listdir(self.live_dir)), ["rec-1.wav"])
        self.assertEqual(os.listdir(self.archive_dir), ["rec-40.wav"])
        # An archived recording still plays, from the archive folder; a deleted one does not.
        self.assertTrue(self.calls[40]._cc_recording_path().startswith(os.path.realpath(self.archive_dir)))
        self.assertIsNone(self.calls[400]._cc_recording_path())
        self.assertFalse(self.calls[400].recording_player)

    def test_a_missing_file_is_logged_not_fatal(self):
        os.remove(os.path.join(self.live_dir, "rec-40.wav"))
        with freeze_time("2026-11-01 12:00:00"):
            run = self.server._cc_recording_housekeeping()
        self.assertEqual(run.error_count, 1)
        self.assertIn("hk.40", run.message)
        self.assertEqual(self.calls[40].recording_state, "live")

    def test_low_free_space_alerts_managers_once(self):
        self.server.recording_min_free_mb = 10**12  # more than any disk has: the alarm must fire
        first = self.server._cc_recording_housekeeping()
        self.server._cc_recording_housekeeping()
        self.assertTrue(first.alarm)
        activities = self.server.activity_ids.filtered(lambda a: a.user_id == self.manager)
        self.assertEqual(len(activities), 1, "one open alarm per manager, not one per run")
        sent = self.env.cr.precommit.data.get("bus.bus.values", [])
        self.assertTrue(any("callcenter/alarm" in values["message"] for values in sent))

    def test_the_cron_runs_every_server(self):
        with freeze_time("2026-11-01 12:00:00"):
            self.env["cc.pbx.server"]._cron_recording_housekeeping()
        runs = self.env["cc.recording.run"].search([("server_id", "=", self.server.id)])
        self.assertEqual(len(runs), 1)
