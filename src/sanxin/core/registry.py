"""What modules contribute to the shell: navigation entries and home-page cards.

Each app registers in its ``AppConfig.ready()``::

    registry.nav(NavItem(key="orgs", label="组织体系", url_name="orgs:tree", order=10,
                         visible=lambda user: ...))
    registry.card(HomeCard(key="orgs.renewals", title="换届提醒", template="orgs/cards/renewals.html",
                           context=lambda request: {...}, visible=lambda user: ...))
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

from django.urls import NoReverseMatch, reverse


def _always(user) -> bool:
    return True


@dataclasses.dataclass(frozen=True)
class NavItem:
    key: str
    label: str
    url_name: str
    order: int = 100
    icon: str = ""
    group: str = ""
    visible: Callable[[Any], bool] = _always

    @property
    def url(self) -> str:
        try:
            return reverse(self.url_name)
        except NoReverseMatch:
            return "#"


@dataclasses.dataclass(frozen=True)
class HomeCard:
    key: str
    title: str
    template: str
    order: int = 100
    context: Callable[[Any], dict] = lambda request: {}
    visible: Callable[[Any], bool] = _always
    wide: bool = False


_nav: dict[str, NavItem] = {}
_cards: dict[str, HomeCard] = {}


def nav(item: NavItem) -> None:
    _nav[item.key] = item


def card(item: HomeCard) -> None:
    _cards[item.key] = item


def nav_for(user) -> list[NavItem]:
    return sorted((i for i in _nav.values() if i.visible(user)), key=lambda i: (i.order, i.key))


def cards_for(request) -> list[tuple[HomeCard, dict]]:
    out = []
    for c in sorted(_cards.values(), key=lambda c: (c.order, c.key)):
        if c.visible(request.user):
            out.append((c, c.context(request)))
    return out
