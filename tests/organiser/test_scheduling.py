"""Scheduling: quiet hours (with time travel), the default reminders of storms and shifts,
editing and cancelling."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import ValidationError

from campaigns.storms.models import Twitterstorm
from organiser import services
from organiser.models import ScheduledMessage
from organiser.selectors import audience_supporters
from tests.factories import ScheduledMessageFactory, ShiftFactory, StormFactory, VolunteerFactory
from volunteers.models import Skill, VolunteerProfile, VolunteerSkill
from volunteers.services import consent_set

UK = ZoneInfo("Europe/London")


@pytest.fixture(autouse=True)
def _quiet_hours(settings):
    settings.ORGANISER_QUIET_HOURS = "21:00-08:00"  # the default, which these tests are about


def uk(day, hour, minute=0):
    return datetime(2026, 11, day, hour, minute, tzinfo=UK)


@pytest.mark.parametrize(
    ("moment", "quiet"),
    [(uk(24, 20, 59), False), (uk(24, 21, 0), True), (uk(25, 3, 0), True), (uk(25, 8, 0), False)],
)
def test_quiet_hours_are_nine_in_the_evening_to_eight_in_the_morning_uk_time(moment, quiet):
    assert services.in_quiet_hours(moment) is quiet


def test_quiet_hours_follow_uk_summer_time():
    # 20:30 UTC in July is 21:30 in London: quiet.
    assert services.in_quiet_hours(datetime(2026, 7, 1, 20, 30, tzinfo=ZoneInfo("UTC")))


def test_a_time_in_quiet_hours_moves_before_them_for_a_reminder_and_after_them_otherwise():
    assert services.out_of_quiet_hours(uk(25, 6, 0), before=True) == uk(24, 20, 30)
    assert services.out_of_quiet_hours(uk(24, 22, 0), before=True) == uk(24, 20, 30)
    assert services.out_of_quiet_hours(uk(24, 22, 0), before=False) == uk(25, 8, 0)
    assert services.out_of_quiet_hours(uk(25, 1, 0), before=False) == uk(25, 8, 0)
    assert services.out_of_quiet_hours(uk(25, 12, 0), before=True) == uk(25, 12, 0)


@pytest.mark.django_db
def test_scheduling_a_message_for_the_night_sends_it_the_next_morning():
    message = ScheduledMessageFactory(state="draft", send_at=None)
    with time_machine.travel(uk(24, 12)):
        services.message_schedule(message=message, send_at=uk(24, 23, 0))
    message.refresh_from_db()
    assert (message.state, message.send_at) == ("scheduled", uk(25, 8, 0))


@pytest.mark.django_db
def test_scheduling_checks_the_audience_and_the_templates():
    message = ScheduledMessageFactory(
        state="draft", audience="storm_pledgers", subject="{% if %}", send_at=None
    )
    with pytest.raises(ValidationError) as raised:
        services.message_schedule(message=message, send_at=uk(30, 12))
    assert set(raised.value.message_dict) == {"storm", "subject"}


@pytest.mark.django_db
def test_a_storm_gets_its_default_reminders_once_at_24_hours_1_hour_and_10_minutes_before():
    with time_machine.travel(uk(23, 12)):
        storm = StormFactory(starts_at=uk(25, 18, 0), ends_at=uk(25, 19, 0))
        assert services.reminders_create() == 3
        assert services.reminders_create() == 0

    reminders = ScheduledMessage.objects.filter(storm=storm).order_by("send_at")
    assert [(m.send_at, m.state) for m in reminders] == [
        (uk(24, 18, 0), "scheduled"),
        (uk(25, 17, 0), "scheduled"),
        (uk(25, 17, 50), "scheduled"),
    ]
    assert {m.send_by for m in reminders} == {storm.starts_at}
    assert {m.audience for m in reminders} == {"storm_pledgers"}


@pytest.mark.django_db
def test_an_early_morning_storms_reminders_go_the_evening_before_once():
    with time_machine.travel(uk(23, 12)):
        storm = StormFactory(starts_at=uk(25, 7, 0), ends_at=uk(25, 8, 0))
        services.reminders_create()

    reminders = ScheduledMessage.objects.filter(storm=storm).order_by("reminder_before")
    # 10 minutes before (06:50) moves to 20:30 the evening before; 1 hour before (06:00)
    # would go then too, so it is made cancelled.
    assert [(m.reminder_before, m.send_at, m.state) for m in reminders] == [
        (timedelta(minutes=10), uk(24, 20, 30), "scheduled"),
        (timedelta(hours=1), uk(24, 20, 30), "cancelled"),
        # 07:00 the day before is in quiet hours too: the evening before that.
        (timedelta(hours=24), uk(23, 20, 30), "scheduled"),
    ]


@pytest.mark.django_db
def test_a_reminder_already_past_when_the_storm_is_published_is_made_cancelled():
    with time_machine.travel(uk(25, 12)):
        storm = StormFactory(starts_at=uk(25, 13, 0), ends_at=uk(25, 14, 0))
        services.reminders_create()

    states = dict(
        ScheduledMessage.objects.filter(storm=storm).values_list("reminder_before", "state")
    )
    assert states == {
        timedelta(hours=24): "cancelled",
        timedelta(hours=1): "cancelled",  # 12:00, now: not strictly after now
        timedelta(minutes=10): "scheduled",
    }


@pytest.mark.django_db
def test_a_cancelled_default_reminder_is_not_made_again_and_a_moved_storm_moves_the_rest():
    with time_machine.travel(uk(20, 12)):
        storm = StormFactory(starts_at=uk(25, 18, 0), ends_at=uk(25, 19, 0))
        services.reminders_create()
        first = ScheduledMessage.objects.get(storm=storm, reminder_before=timedelta(hours=24))
        services.message_cancel(message=first)
        Twitterstorm.objects.filter(pk=storm.pk).update(
            starts_at=uk(26, 18, 0), ends_at=uk(26, 19, 0)
        )
        assert services.reminders_create() == 0

    first.refresh_from_db()
    assert first.state == "cancelled"
    hour = ScheduledMessage.objects.get(storm=storm, reminder_before=timedelta(hours=1))
    assert (hour.send_at, hour.send_by) == (uk(26, 17, 0), uk(26, 18, 0))


@pytest.mark.django_db
def test_unpublished_storms_and_past_ones_get_no_reminders():
    with time_machine.travel(uk(23, 12)):
        StormFactory(is_published=False, starts_at=uk(25, 18), ends_at=uk(25, 19))
        StormFactory(starts_at=uk(22, 18), ends_at=uk(22, 19))
        assert services.reminders_create() == 0


@pytest.mark.django_db
def test_each_shift_of_an_approved_event_gets_reminders_24_hours_and_1_hour_before():
    with time_machine.travel(uk(20, 12)):
        shift = ShiftFactory(starts_at=uk(25, 10, 0), ends_at=uk(25, 12, 0))
        ShiftFactory(event__state="proposed", starts_at=uk(25, 10), ends_at=uk(25, 12))
        assert services.reminders_create() == 2

    reminders = ScheduledMessage.objects.filter(shift=shift).order_by("send_at")
    assert [m.send_at for m in reminders] == [uk(24, 10, 0), uk(25, 9, 0)]
    assert {m.audience for m in reminders} == {"shift_rsvps"}


@pytest.mark.django_db
def test_editing_the_words_makes_a_new_version_and_other_edits_do_not():
    message = ScheduledMessageFactory()
    message.name = "Renamed"
    services.message_save(message=message, text_changed=False)
    assert message.version == 1
    message.body = "New words"
    services.message_save(message=message, text_changed=True)
    message.refresh_from_db()
    assert (message.version, message.body) == (2, "New words")


@pytest.mark.django_db
def test_a_sent_message_cannot_be_edited_or_cancelled():
    message = ScheduledMessageFactory(state="sent")
    with pytest.raises(ValidationError):
        services.message_save(message=message, text_changed=True)
    with pytest.raises(ValidationError):
        services.message_cancel(message=message)


@pytest.mark.django_db
def test_a_message_to_volunteers_by_skill_reaches_those_with_it_at_the_level(settings):
    design = Skill.objects.get(slug="design")

    def volunteer(level, purpose="volunteering"):
        supporter = VolunteerFactory()
        profile = VolunteerProfile.objects.create(
            user=supporter.user, postcode="ZA1 1AA", constituency_code="E14000001"
        )
        if level:
            VolunteerSkill.objects.create(volunteer=profile, skill=design, level=level)
        consent_set(supporter=supporter, purpose=purpose, wanted=True, source="test")
        return supporter

    expert, learner, opted_in_expert = volunteer(3), volunteer(1), volunteer(3, "campaign-email")
    volunteer(None)
    message = ScheduledMessageFactory(audience="volunteers", skill=design)
    experts_only = ScheduledMessageFactory(audience="volunteers", skill=design, skill_level=3)

    assert set(audience_supporters(message)) == {expert, learner, opted_in_expert}
    assert set(audience_supporters(experts_only)) == {expert, opted_in_expert}


@pytest.mark.django_db
def test_a_skill_is_refused_for_an_audience_that_is_not_volunteers():

    message = ScheduledMessageFactory(skill=Skill.objects.get(slug="design"))

    with pytest.raises(ValidationError) as refused:
        services.message_schedule(message=message)

    assert "skill" in refused.value.message_dict
