from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Industry(models.Model):
    """An industry a committee manages ("管行业必须管党建"): 交通运输, 快递外卖, 网络名人... Flat
    reference data shared by the org tree, the registry and the scope."""

    code = models.SlugField(_("代码"), max_length=32, primary_key=True)
    name = models.CharField(_("名称"), max_length=50, unique=True)
    order = models.PositiveSmallIntegerField(_("排序"), default=100)

    class Meta:
        verbose_name = _("行业")
        verbose_name_plural = _("行业")
        ordering = ["order", "code"]

    def __str__(self) -> str:
        return self.name
