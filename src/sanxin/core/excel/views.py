from django.http import HttpResponse
from django.views.decorators.http import require_safe

from sanxin.core.permissions import permission

office_required = permission("system", "view")


@office_required
def imports(request):
    return HttpResponse("")


@office_required
def import_detail(request, job_id):
    return HttpResponse("")


@office_required
@require_safe
def import_errors(request, job_id):
    return HttpResponse("")


@office_required
@require_safe
def import_progress(request, job_id):
    return HttpResponse("")
