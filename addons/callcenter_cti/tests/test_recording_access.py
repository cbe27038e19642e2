import os
import tempfile
import wave

from odoo.tests import HttpCase, new_test_user, tagged


@tagged("post_install", "-at_install")
class TestRecordingAccess(HttpCase):
    """Recordings stream to whoever may read the call, with Range requests; nobody else learns they exist."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.folder = tempfile.mkdtemp(prefix="cc-recordings-")
        cls.audio = cls._write_wav(os.path.join(cls.folder, "1795316338.1.wav"))
        server = cls.env["cc.pbx.server"].create(
            {"name": "Rec", "host": "127.0.0.1", "recording_dir": cls.folder}
        )
        owner = new_test_user(cls.env, login="rec_agent", groups="callcenter_cti.group_cc_agent")
        new_test_user(cls.env, login="rec_other", groups="callcenter_cti.group_cc_agent")
        new_test_user(cls.env, login="rec_sup", groups="callcenter_cti.group_cc_supervisor")
        new_test_user(cls.env, login="rec_manager", groups="callcenter_cti.group_cc_manager")
        new_test_user(cls.env, login="rec_portal", groups="base.group_portal")
        agent = cls.env["cc.agent"].create(
            {"name": "Owner", "extension": "8201", "user_id": owner.id, "server_id": server.id}
        )
        values = {"server_id": server.id, "agent_id": agent.id, "disposition": "answered"}
        cls.call = cls.env["cc.call"].create(
            values | {"linkedid": "rec.1", "recording_file": "1795316338.1.wav"}
        )
        cls.escape = cls.env["cc.call"].create(
            values | {"linkedid": "rec.2", "recording_file": "../../../etc/passwd"}
        )

    @staticmethod
    def _write_wav(path):
        with wave.open(path, "wb") as handle:
            handle.setnchannels(1)
            handle.setsampwidth(2)
            handle.setframerate(8000)
            handle.writeframes(bytes(range(256)) * 64)
        with open(path, "rb") as handle:
            return handle.read()

    def fetch(self, login, call=None, headers=None, **params):
        self.authenticate(login, login)
        url = f"/callcenter/recording/{(call or self.call).id}"
        return self.url_open(url, headers=headers, params=params, allow_redirects=False)

    def test_the_agent_of_the_call_plays_and_seeks(self):
        response = self.fetch("rec_agent")
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.headers["Content-Type"], "audio/wav")
        self.assertEqual(response.content, self.audio)
        partial = self.fetch("rec_agent", headers={"Range": "bytes=100-199"})
        self.assertEqual(partial.status_code, 206)
        self.assertEqual(partial.content, self.audio[100:200])

    def test_supervisors_and_managers_play_every_call_and_download(self):
        for login in ("rec_sup", "rec_manager"):
            response = self.fetch(login, download=1)
            self.assertEqual(response.status_code, 200, login)
            self.assertIn("attachment", response.headers["Content-Disposition"])

    def test_other_agent_portal_and_guesses_get_the_same_404(self):
        self.assertEqual(self.fetch("rec_other").status_code, 404)
        self.assertEqual(self.fetch("rec_portal").status_code, 404)
        self.authenticate("rec_sup", "rec_sup")
        self.assertEqual(self.url_open("/callcenter/recording/999999999").status_code, 404)

    def test_public_visitor_is_sent_to_login(self):
        self.authenticate(None, None)
        response = self.url_open(f"/callcenter/recording/{self.call.id}", allow_redirects=False)
        self.assertIn(response.status_code, (302, 303))
        self.assertIn("/web/login", response.headers["Location"])

    def test_a_file_name_cannot_leave_the_recordings_folder(self):
        self.assertEqual(self.fetch("rec_manager", call=self.escape).status_code, 404)

    def test_the_call_form_offers_a_player(self):
        self.assertIn(f"/callcenter/recording/{self.call.id}", self.call.recording_player)
        self.assertFalse(self.call.copy({"linkedid": "rec.3", "recording_file": False}).recording_player)
