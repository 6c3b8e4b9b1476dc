"""The spoken call: its text, and the audio the server renders for the hall screens."""

import datetime as dt
import io
import wave
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from hall.models import Ticket, TicketEvent
from hall.services.tickets import (
    counter_sign_in,
    policy_for,
    ticket_call_next,
    ticket_issue,
    ticket_recall,
)
from hall.tests.factories import Floor, make_floor
from hall.voice import announcement_text, spoken_number, voice_directory

pytestmark = pytest.mark.django_db


@pytest.fixture
def floor(settings: Any, tmp_path: Path) -> Floor:
    settings.DATA_DIR = tmp_path
    return make_floor()


def called(floor: Floor) -> TicketEvent:
    counter_sign_in(counter=floor.counters[0], staff=floor.clerks[0])
    ticket_issue(category=floor.general)
    ticket_call_next(counter=floor.counters[0], staff=floor.clerks[0])
    return TicketEvent.objects.get(kind=TicketEvent.Kind.CALLED)


def test_ticket_numbers_are_spoken_digit_by_digit() -> None:
    assert spoken_number("A012") == "A零一二"
    assert spoken_number("B1000") == "B一零零零"


def test_the_announcement_follows_the_centers_template(floor: Floor) -> None:
    policy = policy_for(floor.center)
    assert announcement_text(policy, number="A012", counter=12) == "请A零一二号到12号窗口办理"
    policy.call_template = "{number}号请到{counter}号窗口"
    assert announcement_text(policy, number="C003", counter=7) == "C零零三号请到7号窗口"


def test_the_voice_of_a_call_is_real_audio_of_plausible_length(
    client: Client, floor: Floor
) -> None:
    event = called(floor)
    response = client.get(f"/hall/voice/{event.pk}.wav")
    assert response.status_code == 200
    assert response["Content-Type"] == "audio/wav"
    audio = response.getvalue()
    assert audio[:4] == b"RIFF" and audio[8:12] == b"WAVE"
    with wave.open(io.BytesIO(audio)) as sound:
        seconds = sound.getnframes() / sound.getframerate()
        assert sound.getnchannels() == 1
    assert 1.5 <= seconds <= 10


def test_the_audio_is_rendered_once_per_text_and_kept(client: Client, floor: Floor) -> None:
    event = called(floor)
    client.get(f"/hall/voice/{event.pk}.wav")
    files = list(voice_directory().glob("*.wav"))
    assert len(files) == 1
    ticket_recall(counter=floor.counters[0], staff=floor.clerks[0])
    recall = TicketEvent.objects.get(kind=TicketEvent.Kind.RECALLED)
    assert client.get(f"/hall/voice/{recall.pk}.wav").status_code == 200
    assert list(voice_directory().glob("*.wav")) == files
    assert not list(voice_directory().glob("*.part"))


def test_only_todays_calls_have_a_voice(client: Client, floor: Floor) -> None:
    event = called(floor)
    issued = TicketEvent.objects.get(kind=TicketEvent.Kind.ISSUED)
    assert client.get(f"/hall/voice/{issued.pk}.wav").status_code == 404
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    Ticket.objects.filter(pk=event.ticket_id).update(service_date=yesterday)
    assert client.get(f"/hall/voice/{event.pk}.wav").status_code == 404
    assert client.get("/hall/voice/999999.wav").status_code == 404
