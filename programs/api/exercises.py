"""/api/v1/exercises/: the library, with picture upload."""

from __future__ import annotations

from drf_spectacular.utils import (
    OpenApiParameter,
    extend_schema,
    extend_schema_view,
)
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response

from clinic.api import query_bool, query_choice
from clinic.permissions import CLINICAL_VIEW, EXERCISES_MANAGE

from .. import selectors, services
from ..models import Equipment, Exercise, ExercisePicture, Muscle
from ._common import _call


class PictureSerializer(serializers.ModelSerializer):
    class Meta:
        model = ExercisePicture
        fields = ("id", "image", "width", "height", "caption", "order")
        read_only_fields = fields


class PictureUploadSerializer(serializers.Serializer):
    # A plain file field: the service checks it really is an image (and says so clearly when it is not).
    image = serializers.FileField()
    caption = serializers.CharField(required=False, allow_blank=True, max_length=200, default="")


class ExerciseSerializer(serializers.ModelSerializer):
    targets = serializers.SlugRelatedField(slug_field="key", many=True, queryset=Muscle.objects.all(), required=False)
    equipment = serializers.SlugRelatedField(
        slug_field="key", many=True, queryset=Equipment.objects.all(), required=False
    )
    regressions = serializers.SlugRelatedField(
        slug_field="key", many=True, queryset=Exercise.objects.all(), required=False
    )
    progressions = serializers.SlugRelatedField(
        slug_field="key", many=True, queryset=Exercise.objects.all(), required=False
    )
    steps = serializers.ListField(child=serializers.CharField(max_length=500), allow_empty=False)
    cues = serializers.ListField(child=serializers.CharField(max_length=500), required=False)
    faults = serializers.ListField(child=serializers.CharField(max_length=500), required=False)
    sets = serializers.IntegerField(min_value=1, max_value=20)
    reps = serializers.IntegerField(min_value=1, max_value=200, allow_null=True, required=False)
    hold_seconds = serializers.IntegerField(min_value=1, max_value=600, allow_null=True, required=False)
    default_dose = serializers.CharField(read_only=True)
    pictures = PictureSerializer(many=True, read_only=True)

    class Meta:
        model = Exercise
        fields = (
            "id",
            *services.EXERCISE_FIELDS,
            "targets",
            "equipment",
            "regressions",
            "progressions",
            "default_dose",
            "illustration",
            "pictures",
            "is_archived",
            "updated_at",
        )
        read_only_fields = ("id", "illustration", "is_archived", "updated_at")


class ExerciseArchiveSerializer(serializers.Serializer):
    archived = serializers.BooleanField(default=True)


@extend_schema_view(
    list=extend_schema(
        parameters=[
            OpenApiParameter("category", str, enum=Exercise.Category.values),
            OpenApiParameter("target", str, description="Muscle key, e.g. gluteus_medius"),
            OpenApiParameter("equipment", str, description="Equipment key, e.g. band"),
            OpenApiParameter("search", str, description="Words in the name or key"),
            OpenApiParameter("archived", bool, description="Include archived exercises"),
        ]
    )
)
class ExerciseViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """The exercise library. Exercises are archived, never deleted (programs keep pointing at them)."""

    serializer_class = ExerciseSerializer
    capability = {"list": CLINICAL_VIEW, "retrieve": CLINICAL_VIEW, "default": EXERCISES_MANAGE}

    def get_queryset(self):
        params = self.request.query_params
        if self.action == "list":
            return selectors.search_exercises(
                q=params.get("search", ""),
                category=query_choice(self.request, "category", Exercise.Category.values),
                target=self._known_key("target", Muscle),
                equipment=self._known_key("equipment", Equipment),
                include_archived=query_bool(self.request, "archived"),
            ).prefetch_related("regressions", "progressions")
        return Exercise.objects.prefetch_related("targets", "equipment", "pictures", "regressions", "progressions")

    def _known_key(self, name: str, model) -> str:
        """A muscle or equipment key that exists, or "" when absent; an unknown key is a 400, not an empty list."""
        if not self.request.query_params.get(name):
            return ""
        return query_choice(self.request, name, set(model.objects.values_list("key", flat=True)))

    def _save(self, serializer, exercise=None):
        data = dict(serializer.validated_data)
        serializer.instance = _call(
            services.save_exercise, exercise=exercise, actor=self.request.user, request=self.request, **data
        )

    def perform_create(self, serializer):
        self._save(serializer)

    def perform_update(self, serializer):
        self._save(serializer, serializer.instance)

    @extend_schema(request=ExerciseArchiveSerializer, responses=ExerciseSerializer)
    @action(detail=True, methods=["post"])
    def archive(self, request, pk=None):
        body = ExerciseArchiveSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        exercise = services.set_exercise_archived(
            exercise=self.get_object(), archived=body.validated_data["archived"], actor=request.user, request=request
        )
        return Response(ExerciseSerializer(exercise, context=self.get_serializer_context()).data)

    @extend_schema(request={"multipart/form-data": PictureUploadSerializer}, responses={201: PictureSerializer})
    @action(detail=True, methods=["post"], parser_classes=(MultiPartParser, FormParser))
    def pictures(self, request, pk=None):
        """Upload a picture: JPEG, PNG, WebP or GIF up to 5 MB; resized and stripped of metadata."""
        body = PictureUploadSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        picture = _call(
            services.add_picture,
            exercise=self.get_object(),
            upload=body.validated_data["image"],
            caption=body.validated_data["caption"],
            actor=request.user,
            request=request,
        )
        return Response(PictureSerializer(picture, context=self.get_serializer_context()).data, status=201)
