"""The staff appointments API, /api/v1/appointments/ (clinic/urls.py registers it on the router).

The same services and rules as the calendar pages: an input serializer checks the shape, bookings.services applies the
rules (a clash is a 409 whoever asks; a physiotherapist changing someone else's appointment gets a 403), an output
serializer answers. Times outside the online rules (outside hours, short notice, in the past) need
"override_rules": true, the API's form of the calendar's explicit confirmation.
"""

from __future__ import annotations

import datetime as dt

import django_filters
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view, inline_serializer
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from clinic import audit
from clinic.api import StrictFilterForm, error_response
from clinic.permissions import BOOKINGS_MANAGE
from clinic.selectors import practice_zone
from patients.models import Patient

from . import availability, services
from . import calendar as cal
from .models import Appointment, AppointmentType, Practitioner

MAX_RANGE_DAYS = 92

ErrorOut = inline_serializer(
    "AppointmentError",
    {
        "code": serializers.CharField(),
        "detail": serializers.CharField(),
        "errors": serializers.DictField(child=serializers.ListField(child=serializers.CharField()), required=False),
    },
)
ERRORS = {
    400: OpenApiResponse(ErrorOut, description="Field errors (or a time outside the online rules without override)"),
    403: OpenApiResponse(ErrorOut, description="Not your appointment (physiotherapists change only their own)"),
    404: OpenApiResponse(ErrorOut, description="No such appointment"),
    409: OpenApiResponse(ErrorOut, description="Clashes with another appointment, or not possible in its status"),
}


# --- serializers ----------------------------------------------------------------------------------------------------


class _Ref(serializers.Serializer):
    id = serializers.IntegerField()


class PatientRef(_Ref):
    first_name = serializers.CharField()
    last_name = serializers.CharField()


class PractitionerRef(_Ref):
    display_name = serializers.CharField()


class TypeRef(_Ref):
    name = serializers.CharField()
    colour = serializers.CharField()
    duration_minutes = serializers.IntegerField()


class AppointmentOut(serializers.ModelSerializer):
    patient = PatientRef()
    practitioner = PractitionerRef()
    appointment_type = TypeRef()

    class Meta:
        model = Appointment
        fields = (
            "id",
            "reference",
            "patient",
            "practitioner",
            "appointment_type",
            "start",
            "end",
            "status",
            "source",
            "patient_notes",
            "cancel_reason",
            "cancelled_at",
            "created_at",
            "updated_at",
        )


class OverrideRulesIn(serializers.Serializer):
    override_rules = serializers.BooleanField(
        default=False,
        help_text="Book or move outside the online rules (outside hours, short notice, in the past). "
        "Never allows a clash with another appointment.",
    )


class AppointmentCreateIn(OverrideRulesIn):
    patient = serializers.PrimaryKeyRelatedField(queryset=Patient.objects.filter(is_archived=False))
    practitioner = serializers.PrimaryKeyRelatedField(queryset=Practitioner.objects.filter(is_active=True))
    appointment_type = serializers.PrimaryKeyRelatedField(queryset=AppointmentType.objects.filter(is_active=True))
    start = serializers.DateTimeField()
    notes = serializers.CharField(required=False, allow_blank=True, max_length=2000, default="")


class AppointmentMoveIn(OverrideRulesIn):
    start = serializers.DateTimeField()
    practitioner = serializers.PrimaryKeyRelatedField(
        queryset=Practitioner.objects.filter(is_active=True),
        required=False,
        help_text="Another practitioner; omit to keep the same one.",
    )


class AppointmentCancelIn(serializers.Serializer):
    reason = serializers.CharField(max_length=255, required=False, allow_blank=True, default="")
    notify_patient = serializers.BooleanField(default=True, help_text="Email the patient the cancellation.")


# --- filters --------------------------------------------------------------------------------------------------------


class _RangeForm(StrictFilterForm):
    def clean(self):
        data = super().clean()
        first, last = data.get("date_from"), data.get("date_to")
        if first and last:
            if last < first:
                self.add_error("date_to", _("The end date must not be before the start date."))
            elif (last - first).days > MAX_RANGE_DAYS:
                self.add_error("date_to", _("Ask for at most %(days)d days at a time.") % {"days": MAX_RANGE_DAYS})
        return data


class AppointmentFilter(django_filters.FilterSet):
    date_from = django_filters.DateFilter(method="filter_from", help_text="First clinic-local date (inclusive).")
    date_to = django_filters.DateFilter(method="filter_to", help_text="Last clinic-local date (inclusive).")
    practitioner = django_filters.ModelChoiceFilter(queryset=Practitioner.objects.all())
    patient = django_filters.ModelChoiceFilter(queryset=Patient.objects.all())
    status = django_filters.MultipleChoiceFilter(choices=Appointment.Status.choices)

    class Meta:
        model = Appointment
        fields = ("date_from", "date_to", "practitioner", "patient", "status")
        form = _RangeForm

    def filter_from(self, queryset, name, value: dt.date):
        return queryset.filter(start__gte=availability.local_midnight(value, practice_zone()))

    def filter_to(self, queryset, name, value: dt.date):
        return queryset.filter(start__lt=availability.local_midnight(value + dt.timedelta(days=1), practice_zone()))


# --- the viewset ----------------------------------------------------------------------------------------------------


def _booking_error(exc: services.BookingError) -> Response:
    extra = {"errors": exc.errors} if exc.errors else {}
    return error_response(exc.code, exc.detail, exc.http_status, **extra)


def _rules_error(warning: str) -> Response:
    message = _("%(warning)s Send override_rules: true to do it anyway.") % {"warning": warning}
    return error_response("outside_rules", message, status.HTTP_400_BAD_REQUEST, errors={"start": [message]})


@extend_schema_view(
    list=extend_schema(summary="Appointments, filtered by dates, practitioner, status and patient"),
    retrieve=extend_schema(summary="One appointment", responses={200: AppointmentOut, 404: ERRORS[404]}),
)
class AppointmentViewSet(
    audit.AuditShownMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """Every calendar is visible to all staff; changes follow bookings.access (physiotherapists: their own)."""

    capability = BOOKINGS_MANAGE
    serializer_class = AppointmentOut
    filterset_class = AppointmentFilter
    queryset = Appointment.objects.none()
    audit_object_type = "bookings.appointment"
    audit_summary = "Listed appointments (API)"

    def retrieve(self, request, *args, **kwargs):
        appointment = self.get_object()
        audit.record(
            action=audit.Action.VIEW,
            request=request,
            obj=appointment,
            patient_id=appointment.patient_id,
            summary="Appointment viewed (API)",
        )
        return Response(self.get_serializer(appointment).data)

    def get_queryset(self):
        return Appointment.objects.select_related("patient", "practitioner", "appointment_type").order_by("start", "id")

    def _out(self, appointment: Appointment, code: int = status.HTTP_200_OK) -> Response:
        appointment = self.get_queryset().get(pk=appointment.pk)
        return Response(AppointmentOut(appointment).data, status=code)

    @extend_schema(
        request=AppointmentCreateIn,
        responses={201: AppointmentOut, **ERRORS},
        summary="Book an appointment (source: API)",
    )
    def create(self, request):
        body = AppointmentCreateIn(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        warning = cal.rule_warning(
            practitioner_id=data["practitioner"].pk, appointment_type=data["appointment_type"], start=data["start"]
        )
        if warning and not data["override_rules"]:
            return _rules_error(warning)
        try:
            appointment = services.create_appointment(
                patient=data["patient"],
                practitioner=data["practitioner"],
                appointment_type=data["appointment_type"],
                start=data["start"],
                source=Appointment.Source.API,
                actor=request.user,
                notes=data["notes"],
                staff_override=True,
                request=request,
            )
        except services.BookingError as exc:
            return _booking_error(exc)
        return self._out(appointment, status.HTTP_201_CREATED)

    @extend_schema(
        request=AppointmentMoveIn,
        responses={200: AppointmentOut, **ERRORS},
        summary="Move to another time or practitioner",
    )
    @action(detail=True, methods=["post"])
    def move(self, request, pk=None):
        appointment = self.get_object()
        body = AppointmentMoveIn(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        practitioner = data.get("practitioner") or appointment.practitioner
        warning = cal.rule_warning(
            practitioner_id=practitioner.pk,
            appointment_type=appointment.appointment_type,
            start=data["start"],
            moving=appointment if practitioner.pk == appointment.practitioner_id else None,
        )
        if warning and not data["override_rules"]:
            return _rules_error(warning)
        try:
            moved = services.move_appointment(
                appointment=appointment,
                start=data["start"],
                practitioner=practitioner,
                actor=request.user,
                staff_override=True,
                request=request,
            )
        except services.BookingError as exc:
            return _booking_error(exc)
        return self._out(moved)

    @extend_schema(request=AppointmentCancelIn, responses={200: AppointmentOut, **ERRORS}, summary="Cancel")
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        appointment = self.get_object()
        body = AppointmentCancelIn(data=request.data)
        body.is_valid(raise_exception=True)
        try:
            cancelled = services.cancel_appointment(
                appointment=appointment,
                actor=request.user,
                reason=body.validated_data["reason"],
                notify_patient=body.validated_data["notify_patient"],
                staff_override=True,
                request=request,
            )
        except services.BookingError as exc:
            return _booking_error(exc)
        return self._out(cancelled)

    def _status(self, request, change) -> Response:
        appointment = self.get_object()
        try:
            changed = change(appointment=appointment, actor=request.user, request=request)
        except services.BookingError as exc:
            return _booking_error(exc)
        return self._out(changed)

    @extend_schema(request=None, responses={200: AppointmentOut, **ERRORS}, summary="Check the patient in")
    @action(detail=True, methods=["post"], url_path="check-in")
    def check_in(self, request, pk=None):
        return self._status(request, services.check_in)

    @extend_schema(request=None, responses={200: AppointmentOut, **ERRORS}, summary="Mark as completed")
    @action(detail=True, methods=["post"])
    def complete(self, request, pk=None):
        return self._status(request, services.complete_appointment)

    @extend_schema(request=None, responses={200: AppointmentOut, **ERRORS}, summary="Mark as a no-show")
    @action(detail=True, methods=["post"], url_path="no-show")
    def no_show(self, request, pk=None):
        return self._status(request, services.mark_no_show)
