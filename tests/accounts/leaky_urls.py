"""Deliberately leaking routes for the walker's meta-test: they declare permissions but ignore the
scope. Never imported by the application."""

from django.http import HttpResponse
from django.urls import include, path
from ninja import NinjaAPI

from sanxin.api import TokenAuth
from sanxin.core.permissions import permission
from sanxin.orgs.models import Org


@permission("orgs", "view")
def leaky_list(request):
    return HttpResponse("，".join(Org.objects.values_list("name", flat=True)))  # forgot request.scope


@permission("orgs", "view", model=Org, lookup="org_id")
def leaky_detail(request, org_id):
    return HttpResponse(Org.objects.get(pk=org_id).name)  # no scope on the lookup


@permission("orgs", "change", model=Org, lookup="org_id")
def leaky_write(request, org_id):
    Org.objects.filter(pk=org_id).update(address="被越权修改")
    return HttpResponse("ok")


leaky_api = NinjaAPI(urls_namespace="leaky_api", docs_url=None, auth=[TokenAuth()])


@leaky_api.get("/orgs")
@permission("orgs", "view")
def api_leaky_list(request):
    return list(Org.objects.values("id", "name"))


urlpatterns = [
    path("leaky/", leaky_list),
    path("leaky/<int:org_id>/", leaky_detail),
    path("leaky/<int:org_id>/write/", leaky_write),
    path("leakyapi/", leaky_api.urls),
    path("", include("sanxin.urls")),  # the shell's pages (login, 403/404) render as usual
]
