"""/api/v1/assessments/: create, read, update drafts, sign, amend. Derived values are read-only.

Input serializer -> service -> output serializer. Errors: 400 with field errors (nested as in the request body:
{"sides": {"left": {"hhd_trial_1_n": [...]}}}), 409 when the assessment's state forbids the change (signed).
"""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from clinic import audit
from clinic.api import Conflict, query_id
from clinic.permissions import CLINICAL_EDIT, CLINICAL_VIEW
from patients.models import Patient

from . import proms, selectors, services, suggestions
from .models import Assessment, AssessmentVersion, SideFindings
from .selectors import SIDES

VISIT_FIELDS = tuple(f for f in services.ASSESSMENT_FIELDS if f != "appointment_id")


class SideSerializer(serializers.ModelSerializer):
    class Meta:
        model = SideFindings
        fields = services.SIDE_FIELDS
        extra_kwargs = {name: {"required": False} for name in services.SIDE_FIELDS}


class SidesSerializer(serializers.Serializer):
    left = SideSerializer(required=False)
    right = SideSerializer(required=False)


class AnswersField(serializers.DictField):
    """Answers by item number: {"1": 3, "2": null}. null = not answered (HOS: not applicable)."""

    child = serializers.IntegerField(allow_null=True)  # each item's own scale is checked by the service


class QuestionnairesSerializer(serializers.Serializer):
    lefs = AnswersField(required=False)
    akps = AnswersField(required=False)
    hos_adl = AnswersField(required=False)
    hos_sports = AnswersField(required=False)


class AssessmentWriteSerializer(serializers.ModelSerializer):
    sides = SidesSerializer(required=False)
    questionnaires = QuestionnairesSerializer(required=False)

    class Meta:
        model = Assessment
        fields = ("appointment_id", *VISIT_FIELDS, "sides", "questionnaires")
        extra_kwargs = {name: {"required": False} for name in VISIT_FIELDS}


class AssessmentCreateSerializer(AssessmentWriteSerializer):
    patient = serializers.PrimaryKeyRelatedField(queryset=Patient.objects.all())

    class Meta(AssessmentWriteSerializer.Meta):
        fields = ("patient", *AssessmentWriteSerializer.Meta.fields)
        extra_kwargs = {**AssessmentWriteSerializer.Meta.extra_kwargs, "involved_side": {"required": True}}


class AmendSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=2000)


class DerivedSideSerializer(serializers.Serializer):
    best_force_n = serializers.DecimalField(max_digits=6, decimal_places=1, allow_null=True)
    torque_nm = serializers.DecimalField(max_digits=7, decimal_places=1, allow_null=True)
    nm_per_kg = serializers.DecimalField(max_digits=5, decimal_places=2, allow_null=True)
    percent_body_weight = serializers.DecimalField(max_digits=6, decimal_places=1, allow_null=True)
    expected_nm_per_kg = serializers.DecimalField(max_digits=5, decimal_places=2, allow_null=True)
    expected_low_nm_per_kg = serializers.DecimalField(max_digits=5, decimal_places=2, allow_null=True,
                                                      help_text="Expected minus 1 SD (Ramskov 2014)")  # fmt: skip
    expected_high_nm_per_kg = serializers.DecimalField(max_digits=5, decimal_places=2, allow_null=True,
                                                       help_text="Expected plus 1 SD (Ramskov 2014)")  # fmt: skip
    reference_position = serializers.ChoiceField(choices=["below", "within", "above"], allow_null=True)
    percent_of_expected = serializers.DecimalField(max_digits=6, decimal_places=0, allow_null=True)
    sls_fault_count = serializers.IntegerField(allow_null=True)
    step_down_total = serializers.IntegerField(allow_null=True)
    step_down_band = serializers.CharField(allow_null=True)


class DerivedSidesSerializer(serializers.Serializer):
    left = DerivedSideSerializer()
    right = DerivedSideSerializer()


class DerivedSerializer(serializers.Serializer):
    age = serializers.IntegerField(allow_null=True)
    sides = DerivedSidesSerializer()
    lsi_percent = serializers.DecimalField(max_digits=6, decimal_places=1, allow_null=True)
    lsi_basis = serializers.CharField()
    lsi_flag = serializers.BooleanField()
    lsi_borderline = serializers.BooleanField(help_text="Within the dynamometer's measurement error of the cut-off")
    lsi_error_percent = serializers.DecimalField(max_digits=4, decimal_places=1)
    lsi_threshold_percent = serializers.DecimalField(max_digits=5, decimal_places=1)
    endurance_lsi_percent = serializers.DecimalField(max_digits=6, decimal_places=1, allow_null=True)
    endurance_difference_s = serializers.DecimalField(max_digits=4, decimal_places=0, allow_null=True)
    endurance_flag = serializers.BooleanField(help_text="Involved side shorter by more than the MDC (32.8 s)")
    reference_note = serializers.CharField(allow_null=True)
    questionnaire_totals = serializers.DictField(child=serializers.DecimalField(max_digits=5, decimal_places=1,
                                                                                allow_null=True))  # fmt: skip


class QuestionnaireOutSerializer(serializers.Serializer):
    measure = serializers.CharField()
    answers = serializers.DictField(child=serializers.IntegerField(allow_null=True))
    total = serializers.DecimalField(max_digits=5, decimal_places=1, allow_null=True)
    real_change_threshold = serializers.DecimalField(
        max_digits=4, decimal_places=1, help_text="The MCID: a change of at least this much is an important change"
    )


class SuggestionSerializer(serializers.Serializer):
    exercise_key = serializers.CharField()
    reason = serializers.CharField(help_text="The clinician's reasoning (staff only)")
    priority = serializers.IntegerField()
    patient_note = serializers.CharField(help_text="Why the exercise is there, in plain words for the patient")


class VersionSerializer(serializers.ModelSerializer):
    signed_by = serializers.StringRelatedField()

    class Meta:
        model = AssessmentVersion
        fields = ("number", "reason", "signed_at", "signed_by", "snapshot")


class AssessmentSerializer(serializers.ModelSerializer):
    assessor = serializers.StringRelatedField()
    signed_by = serializers.StringRelatedField(allow_null=True)  # null until signed
    sides = serializers.SerializerMethodField()
    questionnaires = serializers.SerializerMethodField()
    derived = serializers.SerializerMethodField()
    suggestions = serializers.SerializerMethodField()

    class Meta:
        model = Assessment
        fields = (
            "id",
            "patient",
            "appointment_id",
            "assessor",
            *VISIT_FIELDS,
            "status",
            "version",
            "signed_at",
            "signed_by",
            "amendment_reason",
            "created_at",
            "updated_at",
            "sides",
            "questionnaires",
            "derived",
            "suggestions",
        )
        read_only_fields = fields

    def _derived(self, obj):
        cache = self.context.setdefault("_derived", {})
        if obj.pk not in cache:
            cache[obj.pk] = selectors.derive(obj, threshold=self.context.get("threshold"))
        return cache[obj.pk]

    @extend_schema_field(SidesSerializer)
    def get_sides(self, obj) -> dict:
        rows = {row.side: row for row in obj.sides.all()}
        return {side: SideSerializer(rows[side]).data for side in SIDES if side in rows}

    @extend_schema_field(QuestionnaireOutSerializer(many=True))
    def get_questionnaires(self, obj) -> list:
        return QuestionnaireOutSerializer(
            [
                {
                    "measure": r.measure,
                    "answers": r.answers,
                    "total": r.total,
                    "real_change_threshold": proms.MEASURES[r.measure].mcid,
                }
                for r in obj.proms.all()
            ],
            many=True,
        ).data

    @extend_schema_field(DerivedSerializer)
    def get_derived(self, obj) -> dict:
        return DerivedSerializer(selectors.derived_as_dict(self._derived(obj))).data

    @extend_schema_field(SuggestionSerializer(many=True))
    def get_suggestions(self, obj) -> list:
        return SuggestionSerializer(suggestions.suggest(self._derived(obj)), many=True).data


def _nested_errors(exc: DjangoValidationError) -> ValidationError:
    """Service errors ("left.hhd_trial_1_n", "lefs.3", "body_mass_kg") in the shape of the request body."""
    out: dict = {}
    for key, messages in exc.message_dict.items():
        head, _dot, rest = key.partition(".")
        if head in SIDES and rest:
            out.setdefault("sides", {}).setdefault(head, {})[rest] = messages
        elif head in proms.MEASURES:
            out.setdefault("questionnaires", {}).setdefault(head, {})[rest or "non_field_errors"] = messages
        elif key == "__all__":
            out["non_field_errors"] = messages
        else:
            out[key] = messages
    return ValidationError(out)


def _split(data: dict) -> tuple[dict, dict, dict]:
    data = dict(data)
    sides = {side: dict(values) for side, values in (data.pop("sides", None) or {}).items()}
    answers = dict(data.pop("questionnaires", None) or {})
    return data, sides, answers


@extend_schema_view(
    list=extend_schema(
        parameters=[OpenApiParameter("patient", int, description="Only this patient's assessments")],
        description="Assessments, newest first. Physiotherapists and admins only.",
    ),
    create=extend_schema(request=AssessmentCreateSerializer, responses={201: AssessmentSerializer}),
    partial_update=extend_schema(
        request=AssessmentWriteSerializer,
        responses=AssessmentSerializer,
        description="Change a draft or an amendment in progress. A signed assessment answers 409: amend it first.",
    ),
)
class AssessmentViewSet(
    audit.AuditShownMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """The hip abductor battery, questionnaires and their derived values."""

    serializer_class = AssessmentSerializer
    audit_object_type = "assessments.assessment"
    audit_summary = "Assessments listed (API)"
    capability = {"list": CLINICAL_VIEW, "retrieve": CLINICAL_VIEW, "versions": CLINICAL_VIEW, "default": CLINICAL_EDIT}
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self):
        assessments = selectors.assessments_with_data().order_by("-assessed_on", "-id")
        patient = query_id(self.request, "patient") if self.action == "list" else None
        if patient is not None:
            assessments = assessments.filter(patient_id=patient)
        return assessments

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "threshold": selectors.lsi_threshold()}

    def retrieve(self, request, *args, **kwargs):
        assessment = self.get_object()
        services.record_view(assessment=assessment, request=request, summary="Assessment viewed (API)")
        return Response(self.get_serializer(assessment).data)

    def _out(self, assessment: Assessment, http_status=status.HTTP_200_OK) -> Response:
        fresh = selectors.get_assessment(assessment.pk)
        return Response(self.get_serializer(fresh).data, status=http_status)

    def create(self, request, *args, **kwargs):
        body = AssessmentCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        fields, sides, answers = _split(body.validated_data)
        patient = fields.pop("patient")
        involved = fields.pop("involved_side")
        try:
            assessment = services.create_assessment(
                patient=patient, actor=request.user, request=request, involved_side=involved, **fields
            )
            if sides or answers:
                services.update_assessment(
                    assessment=assessment, actor=request.user, request=request, sides=sides, answers=answers
                )
        except DjangoValidationError as exc:
            raise _nested_errors(exc) from exc
        return self._out(assessment, status.HTTP_201_CREATED)

    def update(self, request, *args, **kwargs):
        assessment = self.get_object()
        if assessment.is_locked:
            raise Conflict({"code": "signed", "detail": "This assessment is signed: amend it (with a reason) first."})
        body = AssessmentWriteSerializer(data=request.data, partial=True)
        body.is_valid(raise_exception=True)
        fields, sides, answers = _split(body.validated_data)
        try:
            services.update_assessment(
                assessment=assessment, actor=request.user, request=request, fields=fields, sides=sides, answers=answers
            )
        except services.AssessmentLocked as exc:
            raise Conflict({"code": "signed", "detail": str(exc)}) from exc
        except DjangoValidationError as exc:
            raise _nested_errors(exc) from exc
        return self._out(assessment)

    @extend_schema(request=None, responses=AssessmentSerializer)
    @action(detail=True, methods=["post"])
    def sign(self, request, pk=None):
        """Sign a draft or an amendment: it is locked and kept as the next version. 400 lists what is missing."""
        assessment = self.get_object()
        try:
            services.sign_assessment(assessment=assessment, actor=request.user, request=request)
        except services.WrongState as exc:
            raise Conflict({"code": "already_signed", "detail": str(exc)}) from exc
        except DjangoValidationError as exc:
            raise _nested_errors(exc) from exc
        return self._out(assessment)

    @extend_schema(request=AmendSerializer, responses=AssessmentSerializer)
    @action(detail=True, methods=["post"])
    def amend(self, request, pk=None):
        """Open a signed assessment for correction with a reason; PATCH it, then sign again (a new version)."""
        body = AmendSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        assessment = self.get_object()
        try:
            services.start_amendment(
                assessment=assessment, actor=request.user, reason=body.validated_data["reason"], request=request
            )
        except services.WrongState as exc:
            raise Conflict({"code": "not_signed", "detail": str(exc)}) from exc
        except DjangoValidationError as exc:
            raise _nested_errors(exc) from exc
        return self._out(assessment)

    @extend_schema(responses=VersionSerializer(many=True))
    @action(detail=True, methods=["get"], pagination_class=None)
    def versions(self, request, pk=None):
        """Every signed version, oldest first, each with its full snapshot as signed."""
        assessment = self.get_object()
        services.record_view(assessment=assessment, request=request, summary="Assessment versions viewed (API)")
        return Response(VersionSerializer(selectors.versions_of(assessment_id=assessment.pk), many=True).data)
