"""A supporter on a phone finds an event near their postcode, signs up, confirms from the
emailed link, and on the day the host checks them in with their code."""

import re

import pytest

from campaigns.events.models import RSVP
from tests.factories import (
    ConstituencyFactory,
    EventFactory,
    PostcodeFallbackFactory,
    ShiftFactory,
    SupporterFactory,
    UserFactory,
)
from tests.harness.browser import sign_in
from tests.harness.smtp import body_text, links_in

pytestmark = [pytest.mark.browser, pytest.mark.smtp]


def test_find_near_sign_up_confirm_and_check_in(page, live_server, smtp_sink, settings):
    settings.SITE_URL = live_server.url
    settings.POSTCODES_IO_URL = "http://127.0.0.1:9"  # never the internet
    seat = ConstituencyFactory(ons_code="E14000639", name="Cities of London and Westminster")
    PostcodeFallbackFactory(
        code="ZA1 1AA", constituency_code=seat.ons_code, latitude=51.5074, longitude=-0.1278
    )
    host_user = UserFactory()
    host = SupporterFactory(user=host_user, email=host_user.email)
    near = EventFactory(title="Stall by the river", latitude=51.505, longitude=-0.12, host=host)
    ShiftFactory(event=near, capacity=3)
    ShiftFactory(event=EventFactory(title="Stall in Leeds", latitude=53.8, longitude=-1.55))

    page.goto("/events/")
    page.get_by_label("Near postcode").fill("za1 1aa")
    page.get_by_role("button", name="Find events").click()
    page.get_by_text("km away").first.wait_for()
    titles = page.locator("article.event h3").all_inner_texts()
    assert titles == ["Stall by the river", "Stall in Leeds"]
    assert page.evaluate("document.documentElement.scrollWidth") <= 360

    page.get_by_role("link", name="Stall by the river").click()
    form = page.locator("form").filter(has=page.get_by_role("button", name="Sign up"))
    form.get_by_label("Your name").fill("Jo Bloggs")
    form.get_by_label("Your email address").fill("jo@example.org")
    form.get_by_role("button", name="Sign up").click()
    page.get_by_text("Check your email and follow the link").wait_for()

    confirmation = smtp_sink.wait_for(to="jo@example.org")
    page.goto(next(u for u in links_in(confirmation) if "/confirm/" in u))
    page.get_by_role("heading", name="You're signed up").wait_for()
    placed = next(m for m in smtp_sink.messages if m["Subject"].startswith("You're signed up"))
    code = re.search(r"check-in code: (\w+)", body_text(placed)).group(1)

    sign_in(page, host_user)
    page.goto(f"/events/{near.slug}/check-in/")
    page.get_by_label("Check-in code").fill(code.lower())
    page.get_by_role("button", name="Check in", exact=True).click()
    page.get_by_text(f"Checked in: Jo Bloggs ({code})").wait_for()
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    assert RSVP.objects.get().state == RSVP.State.ATTENDED
