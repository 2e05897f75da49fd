"""The "your exercise plan is ready" email as a notification record (clinic.notifications, kind program_ready).

Scheduled in the transaction that makes a program active (or that staff use to send a new link), sent exactly once by
clinic's dispatcher; render() writes it at send time.

The private link: only a hash of a plan token is ever stored (programs.models.AccessLink), so the token cannot be
kept with the record until the dispatcher sends it. Instead the renderer issues the link at send time, and the token
lives only in memory and in the email itself. The outbox keeps the text with the link replaced (Email.kept_text): the
outbox is open to every member of staff, the plan is clinical. A render whose email then fails, or is abandoned, leaves
a link row whose token nobody holds; it opens nothing and expires with the usual lifetime.

Privacy: the email says only that a plan is ready, who set it up, and the link; never the program's title, an
exercise, a note, a diagnosis or a test.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from clinic import pending_tasks
from clinic import tasks as clinic_tasks
from clinic.models import Notification
from clinic.notifications import Email, Skip, register_renderer
from clinic.notifications import services as notification_services
from clinic.selectors import practice_zone

from .models import AccessLink, Program
from .printing import plan_url

SUBJECT_TYPE = "programs.program"
KIND = Notification.Kind.PROGRAM_READY


def schedule_plan_link(program_id: int) -> Notification | None:
    """Schedule the email with a new private link, at most once per activation (or per "send a new link").

    Claimed with a conditional UPDATE of link_emailed_at in the caller's transaction, and the record's due time is
    that same instant: a second call (a redelivered task, a double click) finds the claim taken and schedules nothing.
    """
    now = timezone.now()
    with transaction.atomic():
        claimed = Program.objects.filter(
            pk=program_id, status=Program.Status.ACTIVE, link_emailed_at__isnull=True
        ).update(link_emailed_at=now)
        if not claimed:
            return None
        program = Program.objects.select_related("patient").get(pk=program_id)
        patient = program.patient
        if not (patient.email and patient.consent_email):
            return None
        notification, created = notification_services.schedule(
            subject_type=SUBJECT_TYPE,
            subject_id=program.pk,
            kind=KIND,
            channel=Notification.Channel.EMAIL,
            recipient=patient.email,
            due_at=now,
            subject_label=_("Exercise program %(id)s (version %(version)s)")
            % {"id": program.pk, "version": program.version},
            patient_id=patient.pk,
        )
        if created:
            pending_tasks.enqueue(clinic_tasks.send_notification, notification.pk)
    return notification


def render(notification: Notification) -> Email:
    """The email as it must read now (with a link issued now), or Skip with the reason the outbox shows."""
    from . import services  # services schedules through this module

    program = Program.objects.select_related("patient", "physio").filter(pk=notification.subject_id).first()
    if program is None:
        raise Skip(_("The program no longer exists."))
    # The link follows the lineage, so a program edited (a new version) since it was scheduled still has its plan.
    active = Program.objects.filter(lineage=program.lineage, status=Program.Status.ACTIVE).first()
    if active is None:
        raise Skip(_("The program is no longer active."))
    patient = program.patient
    if not (patient.email and patient.consent_email):
        raise Skip(_("The patient does not accept email."))
    token = services.issue_link(program=active, purpose=AccessLink.Purpose.EMAIL)
    url = plan_url(token)
    context = {
        "patient": patient,
        "physio": program.physio,
        "plan_url": url,
        "expires_on": timezone.localdate(timezone=practice_zone()) + services.link_lifetime(),
    }
    email = Email.from_template("programs/emails/plan_link", context, to=patient.email)
    kept = email.text.replace(url, _("[the patient's private link, not kept here]"))
    return Email(
        subject=email.subject,
        text=email.text,
        html=email.html,
        attachments=email.attachments,
        to=email.to,
        kept_text=kept,
    )


def register() -> None:
    register_renderer(subject_type=SUBJECT_TYPE, kind=KIND, renderer=render)
