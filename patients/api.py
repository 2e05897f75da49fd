from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from phonenumber_field.serializerfields import PhoneNumberField
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from clinic import audit
from clinic.api import query_bool
from clinic.permissions import PATIENTS_EDIT, PATIENTS_VIEW

from . import selectors, services
from .models import Patient
from .services import EDITABLE_FIELDS


class PatientSerializer(serializers.ModelSerializer):
    phone = PhoneNumberField(required=False, allow_blank=True)
    emergency_contact_phone = PhoneNumberField(required=False, allow_blank=True)

    class Meta:
        model = Patient
        fields = ("id", *EDITABLE_FIELDS, "is_archived", "created_at", "updated_at")
        read_only_fields = ("id", "is_archived", "created_at", "updated_at")

    def validate_date_of_birth(self, value):
        if value > timezone.localdate():
            raise serializers.ValidationError("The date of birth cannot be in the future.")
        return value


class ArchiveSerializer(serializers.Serializer):
    archived = serializers.BooleanField(default=True)


def _as_api_error(exc: DjangoValidationError) -> ValidationError:
    return ValidationError(exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages})


@extend_schema_view(
    list=extend_schema(
        parameters=[
            OpenApiParameter(
                "search", str, description="Words matched in names, email, phone or YYYY-MM-DD birth date"
            ),
            OpenApiParameter("archived", bool, description="Include archived patients"),
        ]
    )
)
class PatientViewSet(
    audit.AuditShownMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Patient demographics for staff. Clinical content lives in the assessments and programs endpoints."""

    serializer_class = PatientSerializer
    audit_patient_attr = "pk"
    audit_object_type = "patients.patient"
    audit_summary = "Listed patients (API)"
    capability = {"list": PATIENTS_VIEW, "retrieve": PATIENTS_VIEW, "default": PATIENTS_EDIT}

    def get_queryset(self):
        if self.action == "list":
            return selectors.search_patients(
                q=self.request.query_params.get("search", ""),
                include_archived=query_bool(self.request, "archived"),
            )
        return Patient.objects.all()

    def retrieve(self, request, *args, **kwargs):
        patient = self.get_object()
        services.record_view(patient=patient, request=request)
        return Response(self.get_serializer(patient).data)

    def perform_create(self, serializer):
        try:
            serializer.instance = services.create_patient(
                actor=self.request.user, request=self.request, **serializer.validated_data
            )
        except DjangoValidationError as exc:
            raise _as_api_error(exc) from exc

    def perform_update(self, serializer):
        try:
            serializer.instance = services.update_patient(
                patient=serializer.instance, actor=self.request.user, request=self.request, **serializer.validated_data
            )
        except DjangoValidationError as exc:
            raise _as_api_error(exc) from exc

    @extend_schema(request=ArchiveSerializer, responses=PatientSerializer)
    @action(detail=True, methods=["post"])
    def archive(self, request, pk=None):
        """Archive (or with {"archived": false} restore) a patient. Records are never deleted."""
        body = ArchiveSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        patient = services.set_archived(
            patient=self.get_object(), archived=body.validated_data["archived"], actor=request.user, request=request
        )
        return Response(PatientSerializer(patient).data)
