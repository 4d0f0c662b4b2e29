from __future__ import annotations

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission

PASSWORD = "test-password-123"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    display_name = factory.Sequence(lambda n: f"测试用户{n}")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def perms(self, create, extracted, **kwargs):
        if not extracted:
            if create:
                self.save()
            return
        for perm in extracted:
            app_label, codename = perm.split(".")
            self.user_permissions.add(
                Permission.objects.get(content_type__app_label=app_label, codename=codename)
            )
        self.save()


def user_with_grant(role: str, org):
    """A new user holding ``role`` over ``org`` (and its subtree), since long ago: a grant made today
    would not yet hold under a test's clock frozen on an earlier day."""
    import datetime as dt

    from sanxin.accounts.services import grant_create

    user = UserFactory()
    grant_create(actor=None, user=user, role=role, org=org, valid_from=dt.date(2000, 1, 1))
    return user
