"""Managers change the PBX's prompts themselves: an uploaded recording or a typed text becomes a telephone
sound in the PBX's prompts folder, and the inbound number's welcome plays it on the next call."""

import base64
import os
import tempfile
import wave

from odoo.exceptions import UserError
from odoo.tests import TransactionCase, new_test_user, tagged

from ..service import agi
from .test_sound import wav


@tagged("post_install", "-at_install")
class TestPrompts(TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.folder = tempfile.mkdtemp(prefix="cc-prompts-")
        cls.server = cls.env["cc.pbx.server"].create(
            {"name": "Prompts PBX", "host": "127.0.0.1", "prompt_dir": cls.folder}
        )
        cls.manager = new_test_user(cls.env, login="prompt_mgr", groups="callcenter_cti.group_cc_manager")
        cls.Prompt = cls.env["cc.prompt"].with_user(cls.manager)

    def test_an_uploaded_recording_becomes_a_telephone_sound_on_the_pbx(self):
        prompt = self.Prompt.create(
            {"name": "Welcome", "server_id": self.server.id, "audio": base64.b64encode(wav(44100, 2, 2, 1.0))}
        )
        self.assertEqual(prompt.sound_name, f"custom/cc/prompt-{prompt.id}")
        with wave.open(os.path.join(self.folder, f"prompt-{prompt.id}.wav")) as written:
            self.assertEqual((written.getframerate(), written.getnchannels()), (8000, 1))
        self.assertAlmostEqual(prompt.duration, 1.0, delta=0.02)

    def test_typed_text_is_spoken(self):
        prompt = self.Prompt.create(
            {"name": "After hours", "server_id": self.server.id, "source": "tts", "voice": "cmn",
             "text": "您好，现在是非工作时间，请在提示音后留言。"}
        )  # fmt: skip
        self.assertGreater(prompt.duration, 2.0)
        prompt.text = "Hello, we are closed."
        prompt.voice = "en"
        self.assertTrue(os.path.exists(os.path.join(self.folder, f"prompt-{prompt.id}.wav")))

    def test_a_bad_file_is_refused_and_nothing_is_saved(self):
        count = self.env["cc.prompt"].search_count([])
        with self.assertRaisesRegex(UserError, "not a PCM WAV file"), self.env.cr.savepoint():
            # as in a request: the error rolls the transaction back
            self.Prompt.create(
                {"name": "Song", "server_id": self.server.id, "audio": base64.b64encode(b"ID3 mp3")}
            )
        self.assertEqual(self.env["cc.prompt"].search_count([]), count)

    def test_an_unwritable_folder_is_a_clear_error(self):
        blocker = os.path.join(self.folder, "a-file")
        open(blocker, "w").close()
        self.server.prompt_dir = os.path.join(blocker, "prompts")
        with self.assertRaisesRegex(UserError, "cannot be written"):
            self.Prompt.create(
                {"name": "X", "server_id": self.server.id, "audio": base64.b64encode(wav(8000, 1, 2, 0.2))}
            )

    def test_the_welcome_of_an_inbound_number_plays_it(self):
        prompt = self.Prompt.create(
            {"name": "Welcome", "server_id": self.server.id, "audio": base64.b64encode(wav(8000, 1, 2, 0.3))}
        )
        self.env["cc.did"].create(
            {
                "name": "Hotline",
                "number": "4008001234",
                "server_id": self.server.id,
                "welcome_prompt_id": prompt.id,
            }
        )
        directory = agi.DirectoryLoader(self.registry, self.server.id).build(self.env)
        [did] = directory.dids.values()
        self.assertEqual(did.welcome, f"custom/cc/prompt-{prompt.id}")
