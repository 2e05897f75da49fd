"""/api/v1/program-templates/ and /api/v1/programs/ (items nested, versions, the PDF)."""

from __future__ import annotations

import json

from django.http import HttpResponse, JsonResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
    inline_serializer,
)
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.response import Response

from clinic import audit
from clinic.api import query_choice, query_id
from clinic.files import no_store
from clinic.permissions import CLINICAL_EDIT, CLINICAL_VIEW
from patients.models import Patient

from .. import selectors, services
from ..dose import Frequency, Side
from ..models import Exercise, Program, ProgramItem, ProgramTemplate, TemplateItem
from ..views import RETRY_AFTER_SECONDS, pdf_filename
from ._common import _call


class DoseMixin(serializers.Serializer):
    sets = serializers.IntegerField(min_value=1, max_value=20, required=False)
    reps = serializers.IntegerField(min_value=1, max_value=200, allow_null=True, required=False)
    hold_seconds = serializers.IntegerField(min_value=1, max_value=600, allow_null=True, required=False)
    side = serializers.ChoiceField(choices=Side.choices, required=False)
    frequency = serializers.ChoiceField(choices=Frequency.choices, required=False)
    load = serializers.CharField(max_length=100, required=False, allow_blank=True)
    note = serializers.CharField(max_length=255, required=False, allow_blank=True)


class TemplateItemSerializer(serializers.ModelSerializer):
    exercise = serializers.SlugRelatedField(slug_field="key", read_only=True)
    dose = serializers.CharField(read_only=True)

    class Meta:
        model = TemplateItem
        fields = (
            "id",
            "exercise",
            "order",
            "sets",
            "reps",
            "hold_seconds",
            "side",
            "frequency",
            "load",
            "note",
            "dose",
        )
        read_only_fields = fields


class ProgramTemplateSerializer(serializers.ModelSerializer):
    items = TemplateItemSerializer(many=True, read_only=True)

    class Meta:
        model = ProgramTemplate
        fields = ("id", "name", "description", "items")
        read_only_fields = fields


class ProgramTemplateViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = ProgramTemplateSerializer
    capability = CLINICAL_VIEW
    queryset = ProgramTemplate.objects.none()

    def get_queryset(self):
        return selectors.templates_with_items()


class ProgramItemSerializer(serializers.ModelSerializer):
    exercise = serializers.SlugRelatedField(slug_field="key", read_only=True)
    exercise_name = serializers.CharField(source="exercise.name", read_only=True)
    dose = serializers.CharField(read_only=True)

    class Meta:
        model = ProgramItem
        fields = (
            "id",
            "exercise",
            "exercise_name",
            "order",
            "sets",
            "reps",
            "hold_seconds",
            "side",
            "frequency",
            "load",
            "note",
            "dose",
        )
        read_only_fields = fields


class ProgramItemInputSerializer(DoseMixin):
    exercise = serializers.SlugRelatedField(slug_field="key", queryset=Exercise.objects.all())


class ProgramSerializer(serializers.ModelSerializer):
    items = ProgramItemSerializer(many=True, read_only=True)
    patient = serializers.PrimaryKeyRelatedField(read_only=True)
    physio = serializers.PrimaryKeyRelatedField(read_only=True)
    previous = serializers.PrimaryKeyRelatedField(read_only=True, allow_null=True)

    class Meta:
        model = Program
        fields = (
            "id",
            "patient",
            "physio",
            "title",
            "start_date",
            "review_date",
            "notes",
            "status",
            "version",
            "lineage",
            "previous",
            "source_assessment_id",
            "activated_at",
            "created_at",
            "updated_at",
            "items",
        )
        read_only_fields = fields


class ProgramCreateSerializer(serializers.Serializer):
    patient = serializers.PrimaryKeyRelatedField(queryset=Patient.objects.all())
    title = serializers.CharField(max_length=150)
    start_date = serializers.DateField(required=False)
    review_date = serializers.DateField(required=False, allow_null=True)
    notes = serializers.CharField(required=False, allow_blank=True, default="")
    template = serializers.PrimaryKeyRelatedField(queryset=ProgramTemplate.objects.all(), required=False)
    copy_from = serializers.PrimaryKeyRelatedField(
        queryset=Program.objects.all(), required=False, help_text="Start as a copy of this program's exercises"
    )
    items = ProgramItemInputSerializer(many=True, required=False)


class ProgramUpdateSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=150, required=False)
    start_date = serializers.DateField(required=False)
    review_date = serializers.DateField(required=False, allow_null=True)
    notes = serializers.CharField(required=False, allow_blank=True)
    items = ProgramItemInputSerializer(
        many=True, required=False, help_text="When given, replaces the program's exercises (in this order)"
    )


class SwapSerializer(serializers.Serializer):
    item = serializers.IntegerField(help_text="Id of the program item to swap")
    exercise = serializers.SlugRelatedField(
        slug_field="key", queryset=Exercise.objects.all(), help_text="Key of a progression or regression"
    )


class PdfRenderer(BaseRenderer):
    media_type = "application/pdf"
    format = "pdf"
    charset = None
    render_style = "binary"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        # The sheet itself goes out as an HttpResponse; this renders only an error body (JSON text).
        return json.dumps(data).encode() if isinstance(data, dict) else data


class FirstRendererNegotiation(BaseContentNegotiation):
    """The PDF endpoint answers in its own types whatever the Accept header says (a browser asks for text/html);
    errors come back as JSON, so a wrong role gets its 403, not a 406."""

    def select_parser(self, request, parsers):
        return parsers[0]

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type


RENDERING = inline_serializer(
    "PdfRendering", {"status": serializers.CharField(), "retry_after": serializers.IntegerField()}
)


@extend_schema_view(
    list=extend_schema(
        parameters=[
            OpenApiParameter("patient", int, description="Only this patient's programs"),
            OpenApiParameter("status", str, enum=Program.Status.values),
        ]
    ),
    create=extend_schema(request=ProgramCreateSerializer, responses={201: ProgramSerializer}),
    update=extend_schema(
        request=ProgramUpdateSerializer,
        responses=ProgramSerializer,
        description="A draft is changed in place. An active program is never rewritten: the change is saved as the "
        "next version (returned, with a new id) and the old version becomes superseded. 409 for superseded or "
        "archived versions.",
    ),
    partial_update=extend_schema(request=ProgramUpdateSerializer, responses=ProgramSerializer),
)
class ProgramViewSet(
    audit.AuditShownMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Home-exercise programs with their items. Every read is recorded in the audit trail."""

    serializer_class = ProgramSerializer
    audit_object_type = "programs.program"
    audit_summary = "Listed programs (API)"
    capability = {"list": CLINICAL_VIEW, "retrieve": CLINICAL_VIEW, "pdf": CLINICAL_VIEW, "default": CLINICAL_EDIT}

    def get_queryset(self):
        if self.action == "pdf":
            return Program.objects.select_related("patient", "physio")  # the cached sheet needs no items
        programs = selectors.programs_with_items()
        if self.action == "list":
            patient = query_id(self.request, "patient")
            if patient is not None:
                programs = programs.filter(patient_id=patient)
            if program_status := query_choice(self.request, "status", Program.Status.values):
                programs = programs.filter(status=program_status)
            programs = programs.order_by("-created_at", "-id")
        return programs

    def retrieve(self, request, *args, **kwargs):
        program = self.get_object()
        audit.record(
            action=audit.Action.VIEW, request=request, obj=program, patient_id=program.patient_id, summary="API"
        )
        return Response(self.get_serializer(program).data)

    def _out(self, program: Program, code=status.HTTP_200_OK) -> Response:
        return Response(ProgramSerializer(selectors.get_program(program.pk)).data, status=code)

    def create(self, request, *args, **kwargs):
        body = ProgramCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = dict(body.validated_data)
        source = data.pop("copy_from", None)
        if source is not None:
            if source.patient_id != data["patient"].pk:
                raise ValidationError({"copy_from": ["That program belongs to another patient."]})
            program = _call(
                services.copy_program, source=source, physio=request.user, actor=request.user, request=request
            )
            fields = {k: data[k] for k in ("title", "start_date", "review_date", "notes") if k in data}
            program = _call(services.update_program, program=program, actor=request.user, request=request, **fields)
        else:
            program = _call(
                services.create_program,
                physio=request.user,
                actor=request.user,
                request=request,
                **data,
            )
        return self._out(program, status.HTTP_201_CREATED)

    def update(self, request, *args, **kwargs):
        partial = kwargs.pop("partial", False)
        program = self.get_object()
        body = ProgramUpdateSerializer(data=request.data, partial=partial)
        body.is_valid(raise_exception=True)
        data = dict(body.validated_data)
        items = data.pop("items", None)
        if data:
            program = _call(services.update_program, program=program, actor=request.user, request=request, **data)
        if items is not None:
            program = _call(services.replace_items, program=program, items=items, actor=request.user, request=request)
        return self._out(program)

    @extend_schema(request=None, responses={200: ProgramSerializer, 400: OpenApiTypes.OBJECT, 409: OpenApiTypes.OBJECT})
    @action(detail=True, methods=["post"])
    def activate(self, request, pk=None):
        """Make a draft active: the PDF is rendered and the patient is emailed a private link (if they agreed)."""
        return self._out(
            _call(services.activate_program, program=self.get_object(), actor=request.user, request=request)
        )

    @extend_schema(request=None, responses={200: ProgramSerializer, 409: OpenApiTypes.OBJECT})
    @action(detail=True, methods=["post"])
    def archive(self, request, pk=None):
        return self._out(
            _call(services.archive_program, program=self.get_object(), actor=request.user, request=request)
        )

    @extend_schema(request=SwapSerializer, responses={200: ProgramSerializer, 400: OpenApiTypes.OBJECT})
    @action(detail=True, methods=["post"])
    def swap(self, request, pk=None):
        """Swap one item for a progression or regression of its exercise (a new version if the program is active)."""
        body = SwapSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        item = _call(
            services.swap_item,
            program=self.get_object(),
            item_id=body.validated_data["item"],
            exercise=body.validated_data["exercise"],
            actor=request.user,
            request=request,
        )
        return self._out(item.program)

    @extend_schema(
        request=None,
        responses={
            (200, "application/pdf"): OpenApiResponse(OpenApiTypes.BINARY, description="The sheet"),
            (202, "application/json"): OpenApiResponse(
                RENDERING, description="Being rendered; retry after the header's seconds"
            ),
        },
    )
    @action(
        detail=True,
        methods=["get"],
        renderer_classes=(JSONRenderer, PdfRenderer),
        content_negotiation_class=FirstRendererNegotiation,
    )
    def pdf(self, request, pk=None):
        """The printable sheet: 200 application/pdf when ready, 202 {"status": "rendering"} with Retry-After."""
        program = self.get_object()
        try:
            content = services.request_pdf(program=program)
        except services.PdfFailed:
            content = services.request_pdf(program=program, retry=True)  # an API client polls: try once more
        if content is None:
            response = JsonResponse(
                {"status": "rendering", "retry_after": RETRY_AFTER_SECONDS}, status=status.HTTP_202_ACCEPTED
            )
            response["Retry-After"] = str(RETRY_AFTER_SECONDS)
            response["Cache-Control"] = "no-store"
            return response
        audit.record(
            action=audit.Action.EXPORT, request=request, obj=program, patient_id=program.patient_id, summary="PDF (API)"
        )
        return no_store(HttpResponse(content, content_type="application/pdf"), filename=pdf_filename(program))
