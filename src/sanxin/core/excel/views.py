from django.http import HttpResponse


def imports(request):
    return HttpResponse("")


def import_detail(request, job_id):
    return HttpResponse("")


def import_errors(request, job_id):
    return HttpResponse("")


def import_progress(request, job_id):
    return HttpResponse("")
