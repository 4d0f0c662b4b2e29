from django.urls import path

from . import views
from .excel import views as import_views

app_name = "core"

urlpatterns = [
    path("notifications/", views.notifications, name="notifications"),
    path("notifications/read/", views.notifications_read, name="notifications_read"),
    path("notifications/preferences/", views.notification_prefs, name="notification_prefs"),
    path("audit/", views.audit_log, name="audit"),
    path("calendar/", views.calendar, name="calendar"),
    path("files/<uuid:file_id>/", views.file_download, name="file"),
    path("imports/", import_views.imports, name="imports"),
    path("imports/<uuid:job_id>/", import_views.import_detail, name="import_detail"),
    path("imports/<uuid:job_id>/errors/", import_views.import_errors, name="import_errors"),
    path("imports/<uuid:job_id>/progress/", import_views.import_progress, name="import_progress"),
    path("healthz", views.healthz, name="healthz"),
]
