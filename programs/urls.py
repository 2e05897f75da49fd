from django.urls import path

from . import views

app_name = "programs"
urlpatterns = [
    path("exercises/", views.exercise_list, name="exercise-list"),
    path("exercises/new/", views.exercise_create, name="exercise-create"),
    path("exercises/<int:pk>/", views.exercise_detail, name="exercise-detail"),
    path("exercises/<int:pk>/edit/", views.exercise_edit, name="exercise-edit"),
    path("exercises/<int:pk>/archive/", views.exercise_archive, name="exercise-archive"),
    path("exercises/<int:pk>/pictures/", views.picture_add, name="picture-add"),
    path("exercises/<int:pk>/pictures/<int:picture_pk>/remove/", views.picture_remove, name="picture-remove"),
    path("new/", views.program_new, name="new"),
    path("patient/<int:patient_pk>/panel/", views.patient_panel, name="patient-panel"),
    path("patient/<int:patient_pk>/summary/", views.patient_summary, name="patient-summary"),
    path("<int:pk>/", views.program_detail, name="detail"),
    path("<int:pk>/edit/", views.program_edit, name="edit"),
    path("<int:pk>/pdf/", views.program_pdf, name="pdf"),
    path("<int:pk>/items/add/", views.item_add, name="item-add"),
    path("<int:pk>/items/template/", views.template_add, name="template-add"),
    path("<int:pk>/items/<int:item_pk>/", views.item_update, name="item-update"),
    path("<int:pk>/items/<int:item_pk>/remove/", views.item_remove, name="item-remove"),
    path("<int:pk>/items/<int:item_pk>/move/", views.item_move, name="item-move"),
    path("<int:pk>/items/<int:item_pk>/swap/<int:exercise_pk>/", views.item_swap, name="item-swap"),
    path("<int:pk>/activate/", views.program_activate, name="activate"),
    path("<int:pk>/archive/", views.program_archive, name="archive"),
    path("<int:pk>/save-template/", views.program_save_template, name="save-template"),
    path("<int:pk>/links/revoke/", views.links_revoke, name="links-revoke"),
    path("<int:pk>/links/send/", views.links_send, name="links-send"),
]
