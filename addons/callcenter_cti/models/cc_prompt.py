import base64
import os

from odoo import api, fields, models
from odoo.exceptions import UserError

from ..cti import sound


class CcPrompt(models.Model):
    """A recording the PBX plays (企业彩铃, menus, messages): uploaded or spoken from text, converted to what
    Asterisk plays on a phone line and written to the server's prompts folder, so the business changes it
    without a PBX engineer; the next call plays the new one."""

    _name = "cc.prompt"
    _description = "PBX Prompt"
    _inherit = ["mail.thread"]
    _order = "name"

    name = fields.Char(required=True, tracking=True)
    server_id = fields.Many2one("cc.pbx.server", required=True, ondelete="cascade", index=True)
    company_id = fields.Many2one(related="server_id.company_id", store=True, index=True)
    source = fields.Selection(
        [("upload", "Uploaded recording"), ("tts", "Text to speech")], required=True, default="upload"
    )
    audio = fields.Binary(string="Recording", attachment=True, help="A WAV file (any rate, mono or stereo).")
    audio_filename = fields.Char()
    text = fields.Text(help="What the PBX says (text to speech).")
    voice = fields.Selection([("cmn", "Mandarin"), ("en", "English")], default="cmn")
    sound = fields.Binary(string="Telephone Sound", attachment=True, readonly=True, copy=False)
    sound_name = fields.Char(
        compute="_compute_sound_name",
        help="The name the dialplan plays (Playback, Background): the prompts folder's sound prefix and the "
        "file name without extension.",
    )
    duration = fields.Float(string="Duration (s)", readonly=True, copy=False)
    active = fields.Boolean(default=True)

    @api.depends("server_id.prompt_sound_prefix")
    def _compute_sound_name(self):
        for prompt in self:
            prefix = (prompt.server_id.prompt_sound_prefix or "").strip("/")
            prompt.sound_name = f"{prefix}/prompt-{prompt.id}" if prompt.id and prefix else False

    @api.model_create_multi
    def create(self, vals_list):
        prompts = super().create(vals_list)
        prompts._cc_publish()
        return prompts

    def write(self, vals):
        result = super().write(vals)
        if {"audio", "text", "voice", "source", "server_id"} & vals.keys():
            self._cc_publish()
        return result

    def action_cc_publish(self):
        self._cc_publish()

    def _cc_publish(self):
        """Convert and write each prompt to its server's prompts folder; a bad file or folder is a clear error
        and nothing is saved (the transaction is rolled back)."""
        for prompt in self:
            try:
                data = prompt._cc_telephone_sound()
            except sound.SoundError as exc:
                raise UserError(
                    self.env._("Prompt %(name)s: %(error)s", name=prompt.name, error=exc)
                ) from exc
            prompt._cc_write_file(data)
            values = {"sound": base64.b64encode(data), "duration": round(sound.duration(data), 2)}
            super(CcPrompt, prompt).write(values)  # not self.write: that would publish again
        return True

    def _cc_telephone_sound(self):
        if self.source == "tts":
            return sound.speak(self.text, self.voice)
        if not self.audio:
            raise sound.SoundError(self.env._("upload a recording"))
        return sound.to_asterisk_wav(base64.b64decode(self.audio))

    def _cc_write_file(self, data):
        folder = self.server_id.prompt_dir
        if not folder:
            return  # no shared folder: the sound stays in Odoo (downloadable) until one is set
        try:
            os.makedirs(folder, exist_ok=True)
            path = os.path.join(folder, f"prompt-{self.id}.wav")
            with open(path + ".tmp", "wb") as target:
                target.write(data)
            os.replace(path + ".tmp", path)  # Asterisk never plays a half-written file
        except OSError as exc:
            raise UserError(
                self.env._(
                    "The prompts folder %(folder)s cannot be written: %(error)s", folder=folder, error=exc
                )
            ) from exc
