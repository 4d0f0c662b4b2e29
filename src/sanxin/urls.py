from django.contrib import admin
from django.urls import include, path

from .api import api
from .core import views as core_views

admin.site.site_header = "三新党建智慧平台 · 系统管理"
admin.site.site_title = "三新党建"
# The Django admin bypasses scopes and services: superusers only, whatever a user's staff flag says.
admin.site.has_permission = lambda request: request.user.is_active and request.user.is_superuser

urlpatterns = [
    path("", core_views.home, name="home"),
    path("", include("sanxin.core.urls")),
    path("accounts/", include("sanxin.accounts.urls")),
    path("orgs/", include("sanxin.orgs.urls")),
    path("registry/", include("sanxin.registry.urls")),
    path("members/", include("sanxin.members.urls")),
    path("transfers/", include("sanxin.transfers.urls")),
    path("meetings/", include("sanxin.meetings.urls")),
    path("points/", include("sanxin.points.urls")),
    path("appeals/", include("sanxin.appeals.urls")),
    path("stations/", include("sanxin.stations.urls")),
    path("learning/", include("sanxin.learning.urls")),
    path("community/", include("sanxin.community.urls")),
    path("api/v1/", api.urls),
    path("admin/", admin.site.urls),
]
