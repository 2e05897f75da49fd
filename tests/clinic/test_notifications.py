"""The notification machinery with a test-only renderer (tests.clinic.notifications_support) and real SMTP."""

from __future__ import annotations

import datetime as dt
import io
import re
import uuid

import pytest
from django.core.management import CommandError, call_command
from django.db import IntegrityError, transaction
from django.utils import timezone

from clinic import tasks
from clinic.models import Notification
from clinic.notifications import dispatch, services
from clinic.notifications.timing import backoff, quiet_until
from clinic.selectors import get_practice

from .notifications_support import SUBJECT_TYPE, SmtpServer, free_port, parse

pytestmark = pytest.mark.django_db

Status = Notification.Status


def make(label="A-1", *, kind="reminder", channel="email", recipient="pat@example.com", due=None, subject_id=None):
    notification, _ = services.schedule(
        subject_type=SUBJECT_TYPE,
        subject_id=subject_id or uuid.uuid4().hex[:12],
        kind=kind,
        channel=channel,
        recipient=recipient,
        due_at=due or timezone.now() - dt.timedelta(seconds=1),
        subject_label=label,
        patient_id=7,
    )
    return notification


def send_due():
    return tasks.send_due_notifications()


@pytest.fixture
def smtp(settings):
    with SmtpServer() as server:
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST = "127.0.0.1"
        settings.EMAIL_PORT = server.port
        settings.EMAIL_USE_TLS = False
        yield server.handler


@pytest.fixture
def daytime(settings):
    """Quiet hours that never bite, so SMS tests do not depend on the clock."""
    practice = get_practice()
    practice.sms_quiet_start = practice.sms_quiet_end = dt.time(0, 0)
    practice.save()


class TestTheRecord:
    def test_the_database_refuses_a_second_copy_of_a_message(self):
        first = make(subject_id="42")
        with pytest.raises(IntegrityError), transaction.atomic():
            Notification.objects.create(
                subject_type=SUBJECT_TYPE,
                subject_id="42",
                kind="reminder",
                channel="email",
                recipient="other@example.com",
                due_at=first.due_at,
                next_attempt_at=first.due_at,
            )

    def test_scheduling_the_same_message_twice_returns_the_first(self):
        due = timezone.now() + dt.timedelta(hours=3)
        first, created = services.schedule(
            subject_type=SUBJECT_TYPE,
            subject_id=1,
            kind="reminder",
            channel="email",
            recipient="a@example.com",
            due_at=due,
        )
        again, created_again = services.schedule(
            subject_type=SUBJECT_TYPE,
            subject_id=1,
            kind="reminder",
            channel="email",
            recipient="a@example.com",
            due_at=due,
        )
        assert created and not created_again
        assert first.pk == again.pk
        assert Notification.objects.count() == 1

    def test_a_row_cannot_be_sending_without_a_claim(self):
        notification = make()
        with pytest.raises(IntegrityError), transaction.atomic():
            Notification.objects.filter(pk=notification.pk).update(status=Status.SENDING)


class TestSending:
    def test_a_due_reminder_is_sent_once_and_recorded(self, mailoutbox):
        notification = make("MD-1")

        assert send_due() == {"sent": 1}
        assert send_due() == {}

        assert len(mailoutbox) == 1
        email = mailoutbox[0]
        assert email.to == ["pat@example.com"]
        assert email.subject == "Reminder MD-1"
        assert email.extra_headers["X-Medius-Notification"] == str(notification.pk)
        notification.refresh_from_db()
        assert notification.status == Status.SENT
        assert notification.sent_at is not None
        assert notification.attempts == 1
        assert notification.title == "Reminder MD-1"
        assert "See you soon" in notification.body

    def test_a_message_not_yet_due_waits(self, mailoutbox):
        make(due=timezone.now() + dt.timedelta(minutes=5))
        assert send_due() == {}
        assert mailoutbox == []

    def test_a_message_the_renderer_declines_is_skipped_with_its_reason(self, mailoutbox):
        notification = make("skip:The appointment has already started.")
        send_due()
        notification.refresh_from_db()
        assert notification.status == Status.SKIPPED
        assert notification.reason == "The appointment has already started."
        assert mailoutbox == []

    def test_a_renderer_that_breaks_fails_the_message_and_not_the_batch(self, mailoutbox):
        broken = make("boom")
        fine = make("fine")
        send_due()
        broken.refresh_from_db()
        fine.refresh_from_db()
        assert broken.status == Status.FAILED
        assert "the renderer broke" in broken.reason
        assert fine.status == Status.SENT
        assert len(mailoutbox) == 1

    def test_an_invalid_address_fails_at_once(self, mailoutbox):
        notification = make(recipient="not an address")
        send_due()
        notification.refresh_from_db()
        assert notification.status == Status.FAILED
        assert "Invalid email address" in notification.reason
        assert notification.attempts == 1

    def test_a_message_with_no_renderer_fails_with_a_clear_reason(self):
        notification, _ = services.schedule(
            subject_type="nowhere.thing", subject_id=1, kind="reminder", channel="email", recipient="a@example.com"
        )
        send_due()
        notification.refresh_from_db()
        assert notification.status == Status.FAILED
        assert "Nothing knows how to write" in notification.reason

    def test_send_notification_sends_one_now_and_not_again(self, mailoutbox):
        notification = make()
        assert tasks.send_notification(notification.pk) == "sent"
        assert tasks.send_notification(notification.pk) == "not-due-or-taken"
        assert len(mailoutbox) == 1


class TestClaims:
    def test_a_claimed_row_is_not_claimed_again(self):
        make()
        _token, rows = dispatch.claim_due(limit=10)
        _token2, again = dispatch.claim_due(limit=10)
        assert len(rows) == 1
        assert again == []
        assert rows[0].status == Status.SENDING

    def test_a_stale_claim_is_handed_back_after_the_timeout(self, settings, mailoutbox):
        settings.NOTIFICATIONS_CLAIM_TIMEOUT = 60
        notification = make()
        dispatch.claim_due(limit=10)  # a worker took it, then died
        assert dispatch.recover_stale() == 0
        assert dispatch.recover_stale(now=timezone.now() + dt.timedelta(seconds=61)) == 1
        send_due()
        notification.refresh_from_db()
        assert notification.status == Status.SENT
        assert notification.attempts == 2
        assert len(mailoutbox) == 1

    def test_a_message_that_kills_its_worker_every_time_ends_failed(self, settings):
        settings.NOTIFICATIONS_MAX_ATTEMPTS = 2
        notification = make()
        later = timezone.now()
        for _ in range(2):
            later += dt.timedelta(seconds=settings.NOTIFICATIONS_CLAIM_TIMEOUT + 1)
            dispatch.claim_due(limit=10, now=later)
            dispatch.recover_stale(now=later + dt.timedelta(seconds=settings.NOTIFICATIONS_CLAIM_TIMEOUT + 1))
        notification.refresh_from_db()
        assert notification.status == Status.FAILED
        assert notification.reason == "The worker stopped while sending."

    def test_a_worker_that_wakes_up_after_its_claim_timed_out_sends_nothing(self, smtp, settings):
        notification = make()
        slow_token, slow_rows = dispatch.claim_due(limit=10)
        # It stalls for longer than the claim timeout; the dispatcher hands its rows to another worker.
        stalled = timezone.now() - dt.timedelta(seconds=settings.NOTIFICATIONS_CLAIM_TIMEOUT + 1)
        Notification.objects.filter(pk=notification.pk).update(claimed_at=stalled)
        for row in slow_rows:
            row.claimed_at = stalled
        assert dispatch.recover_stale() == 1
        token, rows = dispatch.claim_due(limit=10)

        with dispatch.Sender() as slow:
            slow.send(slow_rows, slow_token)  # wakes up late: past half its claim timeout, it sends nothing
        assert slow.stats == {"released": 1}
        assert smtp.delivered == 0

        with dispatch.Sender() as sender:
            sender.send(rows, token)
        assert smtp.counts[str(notification.pk)] == 1
        notification.refresh_from_db()
        assert notification.status == Status.SENT

    def test_a_slow_batch_hands_back_what_it_has_not_reached_by_half_the_claim_timeout(self, smtp, settings):
        settings.NOTIFICATIONS_CLAIM_TIMEOUT = 60
        rows = [make(f"H-{i}") for i in range(2)]
        token, claimed = dispatch.claim_due(limit=10)
        claimed[1].claimed_at = timezone.now() - dt.timedelta(seconds=31)  # as if the first one had taken 31 s
        with dispatch.Sender() as sender:
            sender.send(claimed, token)
        assert sender.stats == {"sent": 1, "released": 1}
        second = Notification.objects.get(pk=rows[1].pk)
        assert (second.status, second.attempts, second.claim_token) == (Status.PENDING, 0, None)

    def test_the_dispatcher_recovers_stale_claims_and_queues_batches(self, settings, mailoutbox):
        settings.NOTIFICATIONS_BATCH_SIZE = 2
        for i in range(5):
            make(f"B-{i}")
        assert tasks.dispatch_notifications() == 3  # eager: each batch task runs at once
        assert len(mailoutbox) == 5
        assert Notification.objects.filter(status=Status.SENT).count() == 5


class TestRealSmtp:
    def test_one_connection_carries_a_whole_batch_with_ics_and_message_ids(self, smtp):
        rows = [make(f"S-{i}") for i in range(3)]
        assert send_due() == {"sent": 3}
        assert sorted(smtp.counts) == sorted(str(n.pk) for n in rows)
        first = Notification.objects.get(pk=rows[0].pk)
        assert first.provider_id == "2.0.0 Ok: queued as Q1"
        ids = [parse(raw)["Message-ID"] for raw in smtp.messages]
        assert ids == [Notification.objects.get(pk=n.pk).message_id for n in rows]
        assert re.fullmatch(r"<notification-[0-9a-f]{32}@127\.0\.0\.1>", ids[0])
        assert len(set(ids)) == 3

    def test_a_passing_refusal_is_retried_later_with_backoff(self, smtp):
        smtp.rcpt_reply = "450 4.2.1 Mailbox busy, try later"
        notification = make()
        before = timezone.now()
        assert send_due() == {"retry": 1}
        notification.refresh_from_db()
        assert notification.status == Status.PENDING
        assert notification.attempts == 1
        assert "450" in notification.last_error
        assert notification.next_attempt_at >= before + backoff(1)
        assert notification.claim_token is None

        smtp.rcpt_reply = None
        Notification.objects.filter(pk=notification.pk).update(next_attempt_at=timezone.now())
        assert send_due() == {"sent": 1}
        assert smtp.counts[str(notification.pk)] == 1

    def test_a_server_without_pipelining_is_spoken_to_one_command_at_a_time(self, smtp):
        smtp.pipelining = False
        smtp.rcpt_reply = "550 5.1.1 No such user here"
        refused = make("P-1")
        send_due()
        smtp.rcpt_reply = None
        accepted = make("P-2")
        send_due()
        refused.refresh_from_db()
        accepted.refresh_from_db()
        assert refused.status == Status.FAILED
        assert "550" in refused.reason
        assert accepted.status == Status.SENT
        assert smtp.counts == {str(accepted.pk): 1}

    def test_a_refused_recipient_does_not_spoil_the_rest_of_the_batch(self, smtp):
        first = make("F-1", recipient="first@example.com")
        second = make("F-2", recipient="second@example.com")
        original = type(smtp).handle_RCPT

        async def refuse_first(handler, server, session, envelope, address, options):
            if address == "first@example.com":
                return "550 5.1.1 No such user here"
            return await original(handler, server, session, envelope, address, options)

        type(smtp).handle_RCPT = refuse_first
        try:
            send_due()
        finally:
            type(smtp).handle_RCPT = original
        first.refresh_from_db()
        second.refresh_from_db()
        assert (first.status, second.status) == (Status.FAILED, Status.SENT)
        assert smtp.counts == {str(second.pk): 1}

    def test_a_permanent_refusal_fails_with_the_servers_reason(self, smtp):
        smtp.rcpt_reply = "550 5.1.1 No such user here"
        notification = make()
        send_due()
        notification.refresh_from_db()
        assert notification.status == Status.FAILED
        assert "550" in notification.reason
        assert "No such user" in notification.reason

    def test_a_refusal_at_the_end_of_the_data_is_retried_and_the_row_never_said_sent(self, smtp):
        smtp.data_reply = "451 4.3.0 Temporary failure"
        notification = make()
        send_due()
        notification.refresh_from_db()
        assert notification.status == Status.PENDING
        assert notification.sent_at is None  # "sent" is written only after the server accepted the message
        assert "451" in notification.last_error
        assert smtp.delivered == 0

    def test_a_rejected_message_at_the_end_of_the_data_fails(self, smtp):
        smtp.data_reply = "554 5.6.0 Message rejected"
        notification = make()
        send_due()
        notification.refresh_from_db()
        assert notification.status == Status.FAILED
        assert "554" in notification.reason

    def test_an_unreachable_server_keeps_the_whole_batch_for_later(self, settings):
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST = "127.0.0.1"
        settings.EMAIL_PORT = free_port()  # nothing listens there: connection refused
        rows = [make(f"U-{i}") for i in range(3)]
        assert send_due() == {"retry": 3}
        for row in rows:
            row.refresh_from_db()
            assert row.status == Status.PENDING
            assert "Mail server unavailable" in row.last_error

    def test_passing_faults_end_in_failed_after_the_last_attempt(self, smtp, settings):
        settings.NOTIFICATIONS_MAX_ATTEMPTS = 2
        smtp.rcpt_reply = "421 4.7.0 Try again later"
        notification = make()
        send_due()
        Notification.objects.filter(pk=notification.pk).update(next_attempt_at=timezone.now())
        send_due()
        notification.refresh_from_db()
        assert notification.status == Status.FAILED
        assert notification.reason.startswith("Gave up after 2 attempts")


class WorkerKilled(BaseException):
    """Stands in for SIGKILL: nothing in the worker catches it, nothing after it runs."""


class TestNeverLost:
    """A worker that dies at any moment loses no message; a repeat carries the same Message-ID (docs/reminders.md).

    The crash is raised around the commit that records "sent": just before it, and just after it returns. The
    connection is then dropped without QUIT, as a killed process's socket is. The real-worker version of this
    (SIGKILL at random moments) is tests/concurrency/test_reminder_delivery.py."""

    def crash_around_the_commit(self, monkeypatch, *, after: bool):
        real = dispatch._mark_sent

        def dying(*args, **kwargs):
            if after:
                real(*args, **kwargs)
            raise WorkerKilled

        monkeypatch.setattr(dispatch, "_mark_sent", dying)
        return real

    def run_and_die(self, rows, token):
        sender = dispatch.Sender()
        with pytest.raises(WorkerKilled):
            sender.send(rows, token)
        sender.email._drop()

    @pytest.mark.parametrize("after", [False, True], ids=["before-the-commit", "after-the-commit"])
    def test_a_worker_killed_around_the_sent_commit_loses_nothing(self, smtp, settings, monkeypatch, after):
        notification = make()
        real = self.crash_around_the_commit(monkeypatch, after=after)
        token, rows = dispatch.claim_due(limit=10)
        self.run_and_die(rows, token)
        monkeypatch.setattr(dispatch, "_mark_sent", real)  # the next worker lives
        dispatch.recover_stale(now=timezone.now() + dt.timedelta(seconds=settings.NOTIFICATIONS_CLAIM_TIMEOUT + 1))
        send_due()

        notification.refresh_from_db()
        assert notification.status == Status.SENT
        assert smtp.counts[str(notification.pk)] >= 1  # never lost
        assert {parse(raw)["Message-ID"] for raw in smtp.messages} == {notification.message_id}
        # Killed before its commit, the worker had the server's acceptance but no record of it: one repeat, with the
        # same Message-ID. Killed after it, nothing is repeated.
        assert smtp.counts[str(notification.pk)] == (1 if after else 2)

    def test_the_row_says_sent_only_once_the_server_accepted_the_message(self, smtp, monkeypatch):
        notification = make()
        seen = []
        real = dispatch._mark_sent

        def record(*args, **kwargs):
            seen.append(smtp.delivered)
            return real(*args, **kwargs)

        monkeypatch.setattr(dispatch, "_mark_sent", record)
        send_due()
        assert seen == [1]  # the server had the whole message when "sent" was committed
        notification.refresh_from_db()
        assert notification.status == Status.SENT

    def test_no_reply_after_the_data_means_sending_it_again_with_the_same_message_id(self, smtp):
        smtp.drop_after_data = True
        notification = make()
        send_due()
        notification.refresh_from_db()
        assert notification.status == Status.PENDING
        assert "No reply after the message data" in notification.last_error
        assert smtp.delivered == 1  # the server has it, but the worker could not know

        smtp.drop_after_data = False
        Notification.objects.filter(pk=notification.pk).update(next_attempt_at=timezone.now())
        send_due()
        notification.refresh_from_db()
        assert notification.status == Status.SENT
        assert [parse(raw)["Message-ID"] for raw in smtp.messages] == [notification.message_id] * 2

    def test_every_message_has_its_own_message_id_from_the_moment_it_is_created(self):
        first, second = make(), make()
        assert first.message_id != second.message_id
        assert Notification.objects.get(pk=first.pk).message_id == first.message_id


class TestStaleMessages:
    """Far too late is worse than never: a reminder hours after its time (or after the visit), or a message held up by
    an outage or brought back by a restored backup, is marked expired instead of sent."""

    def late(self, label, *, hours, kind="reminder"):
        return make(label, kind=kind, due=timezone.now() - dt.timedelta(hours=hours))

    def test_the_dispatcher_expires_a_reminder_more_than_six_hours_late_and_sends_a_fresher_one(self, mailoutbox):
        stale = self.late("OLD", hours=6.5)
        fresh = self.late("NEW", hours=5.5)
        tasks.dispatch_notifications()
        stale.refresh_from_db()
        fresh.refresh_from_db()
        assert stale.status == Status.EXPIRED
        assert stale.reason == "Not sent: more than 6 hours late."
        assert stale.sent_at is None
        assert fresh.status == Status.SENT
        assert [m.subject for m in mailoutbox] == ["Reminder NEW"]

    def test_other_messages_may_be_a_day_late_before_they_expire(self, mailoutbox):
        confirmation = self.late("C-1", hours=20, kind="confirmation")
        cancellation = self.late("C-2", hours=25, kind="cancellation")
        tasks.dispatch_notifications()
        confirmation.refresh_from_db()
        cancellation.refresh_from_db()
        assert (confirmation.status, cancellation.status) == (Status.SENT, Status.EXPIRED)
        assert cancellation.reason == "Not sent: more than 24 hours late."
        assert len(mailoutbox) == 1

    def test_a_worker_expires_a_stale_row_it_claimed_before_the_dispatcher_saw_it(self, mailoutbox, settings):
        settings.NOTIFICATIONS_REMINDER_STALE_HOURS = 1
        stale = self.late("OLD", hours=2)
        assert send_due() == {"expired": 1}
        stale.refresh_from_db()
        assert (stale.status, stale.claim_token) == (Status.EXPIRED, None)
        assert mailoutbox == []

    def test_lateness_counts_from_the_end_of_the_sms_quiet_hours_not_from_the_due_time(self, settings):
        notification = self.late("Q-1", hours=10)
        # Due at 22:00, held by the quiet hours until 08:00: at 08:05 it is 5 minutes late, not 10 hours.
        Notification.objects.filter(pk=notification.pk).update(
            channel="sms", next_attempt_at=timezone.now() - dt.timedelta(minutes=5)
        )
        assert dispatch.expire_stale() == 0

    def test_a_restored_backup_does_not_send_again_what_went_after_it_was_taken(self, mailoutbox):
        # The backup was taken before these went: restored a day later, they are pending again in the database.
        restored = [self.late(f"R-{i}", hours=26, kind=kind) for i, kind in enumerate(["reminder", "confirmation"])]
        tasks.dispatch_notifications()
        assert mailoutbox == []
        assert {n.status for n in Notification.objects.filter(pk__in=[n.pk for n in restored])} == {Status.EXPIRED}

    def test_an_expired_message_cannot_be_sent_again_by_staff(self, front_desk):
        stale = self.late("OLD", hours=7)
        tasks.dispatch_notifications()
        with pytest.raises(services.NotRetryable):
            services.retry(notification_id=stale.pk, actor=front_desk)


class TestAfterARestore:
    """`manage.py outbox_expire`: the operator's tool after restoring a backup, before starting the workers."""

    def test_it_lists_then_expires_what_was_due_before_the_failure_and_keeps_what_is_due_later(self, mailoutbox):
        failure = timezone.now() - dt.timedelta(hours=1)
        before = [make(f"B-{i}", due=failure - dt.timedelta(minutes=10 + i)) for i in range(2)]
        dispatch.claim_due(limit=1, now=failure)  # one was being sent when the backup was taken
        after = make("A-1", due=failure + dt.timedelta(minutes=30))
        out = io.StringIO()

        call_command("outbox_expire", "--due-before", failure.isoformat(), stdout=out)
        assert "2 unsent messages were due before" in out.getvalue()
        assert "reminder (sending)" in out.getvalue() and "reminder (pending)" in out.getvalue()
        assert Notification.objects.filter(status=Status.EXPIRED).count() == 0  # listing changes nothing

        call_command("outbox_expire", "--due-before", failure.isoformat(), "--apply", stdout=out)
        assert {n.status for n in Notification.objects.filter(pk__in=[b.pk for b in before])} == {Status.EXPIRED}
        assert Notification.objects.get(pk=before[0].pk).reason.startswith("Expired after a restore")
        send_due()
        assert [m.subject for m in mailoutbox] == ["Reminder A-1"]
        after.refresh_from_db()
        assert after.status == Status.SENT

    def test_it_refuses_a_moment_it_cannot_read(self):
        with pytest.raises(CommandError):
            call_command("outbox_expire", "--due-before", "yesterday", stdout=io.StringIO())


class TestStaffRetry:
    def test_staff_can_send_a_failed_message_again(self, smtp, front_desk, django_capture_on_commit_callbacks):
        smtp.rcpt_reply = "550 5.1.1 No such user here"
        notification = make()
        send_due()
        smtp.rcpt_reply = None

        with django_capture_on_commit_callbacks(execute=True):
            services.retry(notification_id=notification.pk, actor=front_desk)  # the send is queued on commit

        notification.refresh_from_db()
        assert notification.status == Status.SENT
        assert smtp.counts[str(notification.pk)] == 1

    def test_only_a_failed_message_can_be_retried(self, front_desk):
        notification = make()
        with pytest.raises(services.NotRetryable):
            services.retry(notification_id=notification.pk, actor=front_desk)


class TestReplacingAndSkipping:
    def test_replacing_pending_reminders_keeps_what_was_sent(self, mailoutbox):
        now = timezone.now()
        sent = make(subject_id="9", due=now - dt.timedelta(minutes=1))
        send_due()
        later = now + dt.timedelta(hours=5)

        rows = services.replace_pending(
            subject_type=SUBJECT_TYPE,
            subject_id="9",
            kind="reminder",
            wanted=[
                {"channel": "email", "recipient": "pat@example.com", "due_at": sent.due_at},
                {"channel": "email", "recipient": "pat@example.com", "due_at": later},
            ],
        )
        assert [r.status for r in rows] == [Status.SENT, Status.PENDING]

        services.replace_pending(
            subject_type=SUBJECT_TYPE,
            subject_id="9",
            kind="reminder",
            wanted=[{"channel": "email", "recipient": "pat@example.com", "due_at": later + dt.timedelta(hours=1)}],
        )
        assert list(Notification.objects.filter(subject_id="9").order_by("due_at").values_list("status", "due_at")) == [
            (Status.SENT, sent.due_at),
            (Status.PENDING, later + dt.timedelta(hours=1)),
        ]
        assert len(mailoutbox) == 1

    def test_skipping_pending_messages_keeps_them_visible_with_the_reason(self):
        notification = make(subject_id="5", due=timezone.now() + dt.timedelta(hours=1))
        assert services.skip_pending(subject_type=SUBJECT_TYPE, subject_id="5", reason="Appointment cancelled.") == 1
        notification.refresh_from_db()
        assert notification.status == Status.SKIPPED
        assert notification.reason == "Appointment cancelled."


class TestSms:
    @pytest.fixture(autouse=True)
    def memory_sms(self, settings):
        from clinic.notifications.sms import MemoryBackend

        settings.SMS_BACKEND = "clinic.notifications.sms.MemoryBackend"
        MemoryBackend.outbox.clear()
        return MemoryBackend.outbox

    def test_an_sms_goes_through_the_configured_backend(self, memory_sms, daytime):
        notification = make("T-1", channel="sms", recipient="+447700900123")
        send_due()
        notification.refresh_from_db()
        assert notification.status == Status.SENT
        assert [(s.to, s.text) for s in memory_sms] == [("+447700900123", "Reminder: visit T-1")]
        assert notification.provider_id == "memory:1"

    def test_an_sms_due_in_quiet_hours_waits_for_the_morning(self, memory_sms):
        practice = get_practice()
        zone = dt.timezone(dt.timedelta(0))
        practice.time_zone = "UTC"
        practice.sms_quiet_start, practice.sms_quiet_end = dt.time(21), dt.time(8)
        practice.save()
        night = dt.datetime(2030, 3, 4, 23, 30, tzinfo=zone)
        notification, _ = services.schedule(
            subject_type=SUBJECT_TYPE,
            subject_id=1,
            kind="reminder",
            channel="sms",
            recipient="+447700900123",
            due_at=night,
        )
        assert notification.due_at == night
        assert notification.next_attempt_at == dt.datetime(2030, 3, 5, 8, 0, tzinfo=zone)

    def test_an_sms_found_due_during_quiet_hours_is_put_back_until_they_end(self, memory_sms):
        practice = get_practice()
        practice.time_zone = "UTC"
        now = timezone.now().astimezone(dt.UTC)
        # Quiet hours around now, whatever the time of day the test runs.
        practice.sms_quiet_start = (now - dt.timedelta(hours=1)).time().replace(microsecond=0)
        practice.sms_quiet_end = (now + dt.timedelta(hours=1)).time().replace(microsecond=0)
        practice.save()
        notification = make(channel="sms", recipient="+447700900123")
        Notification.objects.filter(pk=notification.pk).update(next_attempt_at=timezone.now())
        assert send_due() == {"deferred": 1}
        notification.refresh_from_db()
        assert notification.status == Status.PENDING
        assert notification.attempts == 0
        assert notification.next_attempt_at > now + dt.timedelta(minutes=55)
        assert memory_sms == []

    def test_an_invalid_phone_number_fails(self, daytime):
        notification = make(channel="sms", recipient="12")
        send_due()
        notification.refresh_from_db()
        assert notification.status == Status.FAILED
        assert "Invalid phone number" in notification.reason


class TestQuietHours:
    @pytest.fixture
    def practice(self):
        practice = get_practice()
        practice.time_zone = "Europe/London"
        practice.sms_quiet_start, practice.sms_quiet_end = dt.time(21), dt.time(8)
        return practice

    def london(self, *args):
        from zoneinfo import ZoneInfo

        return dt.datetime(*args, tzinfo=ZoneInfo("Europe/London"))

    def test_the_evening_waits_until_the_next_morning(self, practice):
        assert quiet_until(self.london(2030, 6, 1, 22, 15), practice) == self.london(2030, 6, 2, 8, 0)

    def test_the_small_hours_wait_until_the_same_morning(self, practice):
        assert quiet_until(self.london(2030, 6, 2, 6, 59), practice) == self.london(2030, 6, 2, 8, 0)

    def test_daytime_is_not_quiet(self, practice):
        assert quiet_until(self.london(2030, 6, 2, 8, 0), practice) is None
        assert quiet_until(self.london(2030, 6, 2, 20, 59), practice) is None

    def test_quiet_hours_are_clinic_time_across_the_clock_change(self, practice):
        # 30 March 2030: clocks go forward in London; 07:30 BST is 06:30 UTC and still quiet.
        moment = dt.datetime(2030, 3, 31, 6, 30, tzinfo=dt.UTC)
        assert quiet_until(moment, practice) == self.london(2030, 3, 31, 8, 0)

    def test_quiet_hours_within_one_day_work_too(self, practice):
        practice.sms_quiet_start, practice.sms_quiet_end = dt.time(12), dt.time(14)
        assert quiet_until(self.london(2030, 6, 2, 13, 0), practice) == self.london(2030, 6, 2, 14, 0)
        assert quiet_until(self.london(2030, 6, 2, 15, 0), practice) is None
