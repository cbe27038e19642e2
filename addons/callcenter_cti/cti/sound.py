"""Prompts for Asterisk: any PCM WAV (or text, through espeak-ng) made into the format Asterisk plays without
transcoding on a telephone line: WAV, 8 kHz, mono, 16-bit signed PCM. No ORM, no Odoo."""

import audioop  # pylint: disable=deprecated-module
import io
import shutil
import subprocess
import tempfile
import wave

RATE, WIDTH, CHANNELS = 8000, 2, 1
MAX_SECONDS = 600  # a welcome prompt or menu of ten minutes is certainly a wrong file
VOICES = {"cmn": "cmn", "en": "en-us"}  # espeak-ng voices: Mandarin, English


class SoundError(ValueError):
    """The input cannot become a prompt; the message says why, in the uploader's words."""


def to_asterisk_wav(data):
    """``data`` (a PCM WAV file's bytes) as an 8 kHz mono 16-bit WAV."""
    try:
        with wave.open(io.BytesIO(data)) as source:
            params = source.getparams()
            frames = source.readframes(params.nframes)
    except (wave.Error, EOFError) as exc:
        raise SoundError(f"not a PCM WAV file ({exc}); convert MP3 or other formats to WAV first") from exc
    if params.nframes / max(params.framerate, 1) > MAX_SECONDS:
        raise SoundError(f"longer than {MAX_SECONDS // 60} minutes")
    return _encode(_convert(frames, params.sampwidth, params.nchannels, params.framerate))


def _convert(frames, width, channels, rate):
    if width == 1:  # 8-bit WAV is unsigned
        frames = audioop.bias(frames, 1, -128)
    frames = audioop.lin2lin(frames, width, WIDTH)
    if channels == 2:
        frames = audioop.tomono(frames, WIDTH, 0.5, 0.5)
    elif channels != 1:
        raise SoundError(f"{channels} channels: only mono and stereo files are read")
    if rate != RATE:
        frames, _state = audioop.ratecv(frames, WIDTH, 1, rate, RATE, None)
    return frames


def _encode(frames):
    out = io.BytesIO()
    with wave.open(out, "wb") as target:
        target.setnchannels(CHANNELS)
        target.setsampwidth(WIDTH)
        target.setframerate(RATE)
        target.writeframes(frames)
    return out.getvalue()


def speak(text, voice="cmn"):
    """``text`` spoken by espeak-ng (Mandarin or English), as an Asterisk prompt."""
    if not (text or "").strip():
        raise SoundError("no text to speak")
    engine = shutil.which("espeak-ng")
    if not engine:
        raise SoundError("text-to-speech needs espeak-ng on the Odoo server (Debian: apt install espeak-ng)")
    with tempfile.NamedTemporaryFile(suffix=".wav") as spoken:
        # -w writes a complete header (--stdout streams one without the length)
        command = [engine, "-v", VOICES.get(voice, voice), "-w", spoken.name, text]
        result = subprocess.run(command, capture_output=True, timeout=60, check=False)
        if result.returncode:
            raise SoundError(f"espeak-ng failed: {result.stderr.decode(errors='replace').strip()}")
        return to_asterisk_wav(spoken.read())


def duration(data):
    """Seconds of a WAV file's sound."""
    with wave.open(io.BytesIO(data)) as sound:
        return sound.getnframes() / sound.getframerate()
