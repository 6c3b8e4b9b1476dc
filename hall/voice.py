"""The spoken call: the announcement text of a call and its audio, rendered by espeak-ng.

Hall browsers often have no Chinese voice, so the server renders each announcement once into a
WAV file kept under `DATA_DIR/voice/`, named by the SHA-256 of voice and text. Only texts made
here from a call's ticket and counter reach the synthesiser, and they go in on its standard
input: never through a shell, never as an option it could misread.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from django.conf import settings

from hall.models import HallPolicy, TicketEvent

# espeak-ng's plain `cmn` voice reads Chinese characters as pinyin spelled with English sounds
# ("ni three hao three"); `cmn-latn-pinyin` speaks them as Mandarin and names Latin letters
# the Chinese way (A: "ei").
VOICE = "cmn-latn-pinyin"
WORDS_PER_MINUTE = "150"
DIGITS = str.maketrans("0123456789", "零一二三四五六七八九")


class VoiceError(Exception):
    """The synthesiser is missing or failed."""


def spoken_number(number: str) -> str:
    """A ticket number as halls say it, digit by digit: A012 → A零一二 (not "A十二")."""
    return number.translate(DIGITS)


def announcement_text(policy: HallPolicy, *, number: str, counter: int | None) -> str:
    """The call template filled for speaking; counter numbers stay cardinal (十二号窗口)."""
    return policy.call_template.format(
        number=spoken_number(number), counter="" if counter is None else counter
    )


def event_announcement(event: TicketEvent, policy: HallPolicy) -> str:
    return announcement_text(
        policy,
        number=event.ticket.number,
        counter=event.counter.number if event.counter else None,
    )


def voice_directory() -> Path:
    return Path(settings.DATA_DIR) / "voice"


def voice_key(text: str) -> str:
    return hashlib.sha256(f"{VOICE}\n{text}".encode()).hexdigest()


def voice_render(text: str) -> Path:
    """The WAV file of the text, rendered on first use and kept for every later call."""
    directory = voice_directory()
    path = directory / f"{voice_key(text)}.wav"
    if path.exists():
        return path
    program = shutil.which("espeak-ng")
    if program is None:
        raise VoiceError("espeak-ng is not installed: install the Debian package espeak-ng.")
    directory.mkdir(parents=True, exist_ok=True)
    # Two screens may ask at once: each renders into its own file and the rename is atomic.
    # espeak-ng writes a file, not stdout, since only a file gets its RIFF sizes filled in.
    handle, temporary = tempfile.mkstemp(dir=directory, suffix=".part")
    os.close(handle)
    try:
        subprocess.run(  # noqa: S603 - fixed program and options, the text on stdin
            [program, "-v", VOICE, "-s", WORDS_PER_MINUTE, "-w", temporary, "--stdin"],
            input=text.encode(),
            capture_output=True,
            timeout=30,
            check=True,
        )
        os.replace(temporary, path)
    except (OSError, subprocess.SubprocessError) as exc:
        Path(temporary).unlink(missing_ok=True)
        raise VoiceError(f"espeak-ng could not render the announcement: {exc}") from exc
    return path
