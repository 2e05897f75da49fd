"""The public booking API (no login). The paths and payloads are a fixed contract (docs/bookings.md).

Thin views: an input serializer checks the shape, bookings.services applies the rules, an output serializer answers.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from phonenumber_field.serializerfields import PhoneNumberField
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from clinic.api import ErrorSerializer, error_response
from clinic.permissions import PUBLIC
from clinic.throttling import FailOpenScopedRateThrottle

from . import selectors, services
from .models import Appointment, AppointmentType, Practitioner
from .services import BookingError, PatientDetails, Replay

MAX_RANGE_DAYS = 31


class PublicWriteThrottle(FailOpenScopedRateThrottle):
    """Public POSTs are limited per client address (settings: DEFAULT_THROTTLE_RATES["public_write"]); without
    Redis, per web process (clinic.throttling)."""


class PublicView(APIView):
    capability = PUBLIC
    # No session authentication: these endpoints act for no user, so a staff member's cookie must not make them
    # subject to CSRF or change what they do.
    authentication_classes: list = []
    throttle_scope = "public_write"


class PublicWriteView(PublicView):
    throttle_classes = [PublicWriteThrottle]


# --- serializers ----------------------------------------------------------------------------------------------------


class AppointmentTypeOut(serializers.ModelSerializer):
    class Meta:
        model = AppointmentType
        fields = ("id", "name", "description", "duration_minutes")


class PractitionerOut(serializers.ModelSerializer):
    appointment_types = serializers.SerializerMethodField()

    class Meta:
        model = Practitioner
        fields = ("id", "display_name", "bio", "appointment_types")

    def get_appointment_types(self, obj) -> list[int]:
        return sorted(t.id for t in obj.online_types)


class AvailabilityQuery(serializers.Serializer):
    appointment_type = serializers.IntegerField(min_value=1)
    start = serializers.DateField(help_text="First clinic-local date, inclusive (YYYY-MM-DD).")
    end = serializers.DateField(help_text=f"Last clinic-local date, inclusive; at most {MAX_RANGE_DAYS} days.")
    practitioner = serializers.IntegerField(min_value=1, required=False, help_text="Omit for any practitioner.")

    def validate_appointment_type(self, value: int) -> AppointmentType:
        found = selectors.online_appointment_types().filter(pk=value).first()
        if found is None:
            raise serializers.ValidationError(_("No appointment type with this id can be booked online."))
        return found

    def validate(self, attrs):
        if attrs["end"] < attrs["start"]:
            raise serializers.ValidationError({"end": [_("The end date is before the start date.")]})
        if (attrs["end"] - attrs["start"]).days + 1 > MAX_RANGE_DAYS:
            raise serializers.ValidationError(
                {"end": [_("Ask for at most %(days)d days at a time.") % {"days": MAX_RANGE_DAYS}]}
            )
        practitioner_id = attrs.get("practitioner")
        if practitioner_id is not None:
            practitioner = Practitioner.objects.filter(pk=practitioner_id, is_active=True).first()
            if practitioner is None:
                raise serializers.ValidationError({"practitioner": [_("No such practitioner takes online bookings.")]})
            if not practitioner.appointment_types.filter(pk=attrs["appointment_type"].pk).exists():
                raise serializers.ValidationError(
                    {"practitioner": [_("This practitioner does not offer this appointment type.")]}
                )
        return attrs


class SlotOut(serializers.Serializer):
    start = serializers.DateTimeField()
    end = serializers.DateTimeField()
    practitioner = serializers.IntegerField()


class AvailabilityOut(serializers.Serializer):
    time_zone = serializers.CharField()
    slots = SlotOut(many=True)


class PatientIn(serializers.Serializer):
    first_name = serializers.CharField(max_length=100)
    last_name = serializers.CharField(max_length=100)
    email = serializers.EmailField(max_length=254)
    phone = PhoneNumberField()
    date_of_birth = serializers.DateField()

    def validate_date_of_birth(self, value: dt.date) -> dt.date:
        today = timezone.localdate()
        if value > today:
            raise serializers.ValidationError(_("The date of birth cannot be in the future."))
        if value.year < today.year - 120:
            raise serializers.ValidationError(_("Please check the year of birth."))
        return value

    def validate_email(self, value: str) -> str:
        return value.strip().lower()


class BookingIn(serializers.Serializer):
    appointment_type = serializers.IntegerField(min_value=1)
    practitioner = serializers.IntegerField(
        min_value=1, required=False, allow_null=True, help_text="Omit (or null) for any free practitioner."
    )
    start = serializers.DateTimeField(help_text="A start time from the availability endpoint (ISO 8601).")
    patient = PatientIn()
    notes = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


class ClinicDateTimeField(serializers.DateTimeField):
    """ISO 8601 in the clinic's zone with a numeric offset ("+00:00", never "Z"), as the availability slots are."""

    def to_representation(self, value):
        return value.astimezone(timezone.get_current_timezone()).isoformat() if value else None


class BookingOut(serializers.ModelSerializer):
    start = ClinicDateTimeField(read_only=True)
    end = ClinicDateTimeField(read_only=True)
    practitioner = serializers.IntegerField(source="practitioner_id")
    appointment_type = serializers.IntegerField(source="appointment_type_id")
    manage_url = serializers.SerializerMethodField()

    class Meta:
        model = Appointment
        fields = ("reference", "start", "end", "practitioner", "appointment_type", "status", "manage_url")

    def get_manage_url(self, obj) -> str:
        return selectors.manage_url(obj)


class ManagedBookingOut(BookingOut):
    practitioner_name = serializers.CharField(source="practitioner.display_name")
    appointment_type_name = serializers.CharField(source="appointment_type.name")
    changeable_until = serializers.SerializerMethodField()

    class Meta(BookingOut.Meta):
        fields = (*BookingOut.Meta.fields, "practitioner_name", "appointment_type_name", "changeable_until")

    def get_changeable_until(self, obj) -> dt.datetime | None:
        """Until when the patient may cancel or move it online (None once it is no longer booked)."""
        if obj.status != Appointment.Status.BOOKED:
            return None
        hours = self.context["request"].practice.cancellation_cutoff_hours
        return timezone.localtime(obj.start - dt.timedelta(hours=hours))


class CancelIn(serializers.Serializer):
    reason = serializers.CharField(max_length=255, required=False, allow_blank=True, default="")


class RescheduleIn(serializers.Serializer):
    start = serializers.DateTimeField(help_text="A start time from the availability endpoint (ISO 8601).")


ERROR = ErrorSerializer  # the one error shape (clinic.api)


def _error(exc: BookingError) -> Response:
    extra = {"errors": exc.errors} if exc.errors else {}
    return error_response(exc.code, exc.detail, exc.http_status, **extra)


# --- views ----------------------------------------------------------------------------------------------------------


class AppointmentTypeList(PublicView):
    @extend_schema(responses=AppointmentTypeOut(many=True), auth=[], summary="Appointment types bookable online")
    def get(self, request):
        return Response(AppointmentTypeOut(selectors.online_appointment_types(), many=True).data)


class PractitionerList(PublicView):
    @extend_schema(responses=PractitionerOut(many=True), auth=[], summary="Practitioners taking online bookings")
    def get(self, request):
        return Response(PractitionerOut(selectors.online_practitioners(), many=True).data)


class AvailabilityView(PublicView):
    @extend_schema(
        parameters=[AvailabilityQuery],
        responses={200: AvailabilityOut, 400: ERROR},
        auth=[],
        summary="Free start times",
        description="Every start time between two clinic-local dates (inclusive, at most 31 days) where the type "
        "fits with its buffers. Times carry the clinic's UTC offset.",
    )
    def get(self, request):
        query = AvailabilityQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        params = query.validated_data
        practice = request.practice
        slots = selectors.available_slots(
            appointment_type=params["appointment_type"],
            first=params["start"],
            last=params["end"],
            practitioner_id=params.get("practitioner"),
            practice=practice,
        )
        zone = timezone.get_current_timezone()
        iso: dict[dt.datetime, str] = {}  # many practitioners share start and end times

        def local(instant: dt.datetime) -> str:
            if instant not in iso:
                iso[instant] = instant.astimezone(zone).isoformat()
            return iso[instant]

        # Built directly rather than through SlotOut: a month of ten diaries is thousands of slots.
        return Response(
            {
                "time_zone": practice.time_zone,
                "slots": [
                    {"start": local(slot.start), "end": local(slot.end), "practitioner": slot.practitioner_id}
                    for slot in slots
                ],
            }
        )


def _request_hash(data) -> str:
    return hashlib.sha256(json.dumps(data, sort_keys=True, separators=(",", ":"), default=str).encode()).hexdigest()


class BookingCreate(PublicWriteView):
    @extend_schema(
        request=BookingIn,
        responses={
            201: BookingOut,
            400: ERROR,
            409: OpenApiResponse(ERROR, description="slot_unavailable: the time is taken or not offered"),
            422: OpenApiResponse(ERROR, description="The Idempotency-Key was used with a different body"),
            429: ERROR,
        },
        parameters=[
            OpenApiParameter(
                "Idempotency-Key",
                str,
                OpenApiParameter.HEADER,
                description="Any unique string (a UUID): a retry with the same key and body returns the first "
                "response and books nothing new.",
            )
        ],
        auth=[],
        summary="Book an appointment",
    )
    def post(self, request):
        data = BookingIn(data=request.data)
        data.is_valid(raise_exception=True)
        booking = data.validated_data
        key = request.headers.get("Idempotency-Key", "").strip()
        if len(key) > 255:
            return error_response(
                "invalid", _("The Idempotency-Key header is too long."), 400, errors={"Idempotency-Key": ["too long"]}
            )
        try:
            result = services.book_online(
                appointment_type_id=booking["appointment_type"],
                practitioner_id=booking.get("practitioner"),
                start=booking["start"],
                patient=PatientDetails(**{**booking["patient"], "phone": str(booking["patient"]["phone"])}),
                notes=booking["notes"],
                request=request,
                idempotency_key=key,
                request_hash=_request_hash(request.data) if key else "",
                render=lambda appointment: BookingOut(appointment).data,
                practice=request.practice,
            )
        except BookingError as exc:
            return _error(exc)
        if isinstance(result, Replay):
            return Response(result.body, status=result.status, headers={"Idempotent-Replayed": "true"})
        return Response(BookingOut(result).data, status=status.HTTP_201_CREATED)


def _managed(token: str) -> Appointment | None:
    return selectors.appointment_for_token(token)


NOT_FOUND_DETAIL = gettext_lazy("This link is not valid or has expired.")


class BookingDetail(PublicView):
    @extend_schema(responses={200: ManagedBookingOut, 404: ERROR}, auth=[], summary="A booking, by its private link")
    def get(self, request, token: str):
        appointment = _managed(token)
        if appointment is None:
            return error_response("not_found", str(NOT_FOUND_DETAIL), 404)
        return Response(ManagedBookingOut(appointment, context={"request": request}).data)


class BookingCancel(PublicWriteView):
    @extend_schema(
        request=CancelIn,
        responses={200: ManagedBookingOut, 404: ERROR, 409: ERROR, 429: ERROR},
        auth=[],
        summary="Cancel a booking (outside the cut-off)",
    )
    def post(self, request, token: str):
        appointment = _managed(token)
        if appointment is None:
            return error_response("not_found", str(NOT_FOUND_DETAIL), 404)
        data = CancelIn(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            appointment = services.cancel_appointment(
                appointment=appointment, reason=data.validated_data["reason"], request=request
            )
        except BookingError as exc:
            return _error(exc)
        return Response(ManagedBookingOut(appointment, context={"request": request}).data)


class BookingReschedule(PublicWriteView):
    @extend_schema(
        request=RescheduleIn,
        responses={200: ManagedBookingOut, 400: ERROR, 404: ERROR, 409: ERROR, 429: ERROR},
        auth=[],
        summary="Move a booking to another free time (outside the cut-off)",
    )
    def post(self, request, token: str):
        appointment = _managed(token)
        if appointment is None:
            return error_response("not_found", str(NOT_FOUND_DETAIL), 404)
        data = RescheduleIn(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            appointment = services.move_appointment(
                appointment=appointment, start=data.validated_data["start"], request=request
            )
        except BookingError as exc:
            return _error(exc)
        return Response(ManagedBookingOut(appointment, context={"request": request}).data)
