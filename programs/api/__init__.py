"""REST API: /api/v1/exercises/, /api/v1/program-templates/, /api/v1/programs/ (items nested) and the PDF."""

from .exercises import ExerciseViewSet
from .programs import ProgramTemplateViewSet, ProgramViewSet

__all__ = ["ExerciseViewSet", "ProgramTemplateViewSet", "ProgramViewSet"]
