from django.contrib import admin
from treebeard.admin import TreeAdmin
from treebeard.forms import movenodeform_factory

from .models import Org, OrgEvent, OrgVersion, Person, Post


@admin.register(Org)
class OrgAdmin(TreeAdmin):
    form = movenodeform_factory(Org)
    list_display = ("name", "code", "org_type", "region", "status")
    search_fields = ("name", "code")


admin.site.register(OrgEvent)
admin.site.register(OrgVersion)
admin.site.register(Post)


@admin.register(Person)
class PersonAdmin(admin.ModelAdmin):
    list_display = ("name", "org")
    search_fields = ("name",)
    exclude = ("phone", "resident_id")
