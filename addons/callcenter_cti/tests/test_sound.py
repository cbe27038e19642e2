"""Prompts become what Asterisk plays on a phone line: 8 kHz mono 16-bit WAV, from a PCM WAV or from text."""

import io
import math
import wave

from odoo.tests import BaseCase

from ..cti import sound


def wav(rate, channels, width, seconds):
    """A tone as a WAV file of the given format."""
    frames = bytearray()
    for i in range(int(rate * seconds)):
        value = int(10000 * math.sin(2 * math.pi * 440 * i / rate))
        sample = (
            (value // 256 + 128).to_bytes(1, "little")
            if width == 1
            else value.to_bytes(2, "little", signed=True)
        )
        frames += sample * channels
    out = io.BytesIO()
    with wave.open(out, "wb") as target:
        target.setnchannels(channels)
        target.setsampwidth(width)
        target.setframerate(rate)
        target.writeframes(bytes(frames))
    return out.getvalue()


class TestSound(BaseCase):
    def assertAsteriskWav(self, data, seconds):
        with wave.open(io.BytesIO(data)) as result:
            self.assertEqual(
                (result.getframerate(), result.getnchannels(), result.getsampwidth()), (8000, 1, 2)
            )
        self.assertAlmostEqual(sound.duration(data), seconds, delta=0.02)

    def test_cd_quality_stereo_becomes_telephone_quality(self):
        self.assertAsteriskWav(sound.to_asterisk_wav(wav(44100, 2, 2, 1.5)), 1.5)

    def test_8_bit_and_already_right_files(self):
        self.assertAsteriskWav(sound.to_asterisk_wav(wav(11025, 1, 1, 0.5)), 0.5)
        self.assertAsteriskWav(sound.to_asterisk_wav(wav(8000, 1, 2, 0.5)), 0.5)

    def test_what_is_not_a_pcm_wav_is_refused_clearly(self):
        with self.assertRaisesRegex(sound.SoundError, "not a PCM WAV file"):
            sound.to_asterisk_wav(b"ID3\x03\x00\x00\x00 an mp3")
        with self.assertRaisesRegex(sound.SoundError, "no text"):
            sound.speak("  ")

    def test_text_to_speech_in_mandarin_and_english(self):
        for text, voice in (("您好，欢迎致电客服中心。", "cmn"), ("Welcome to the service center.", "en")):
            spoken = sound.speak(text, voice)
            with wave.open(io.BytesIO(spoken)) as result:
                self.assertEqual(result.getframerate(), 8000)
            self.assertGreater(sound.duration(spoken), 1.0, voice)
