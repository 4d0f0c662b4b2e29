from django import template

from sanxin.community import selectors

register = template.Library()


@register.filter
def who(user) -> str:
    """A person's name as the forum shows it (their registered name, else the account's name)."""
    return selectors.display_name(user)
