"""Template helpers shared by every module."""

from __future__ import annotations

from django import template

register = template.Library()


@register.simple_tag(takes_context=True)
def url_if_allowed(context, view_name: str, *args) -> str:
    """The address of ``view_name`` when the viewer may open it, else "" — for
    ``{% url_if_allowed 'x' as u %}{% if u %}<a href="{{ u }}">…{% endif %}``: a page never shows a
    link that answers 403 (see ``liveops.core.links``)."""
    from django.urls import NoReverseMatch, reverse

    from liveops.core.access import access_for
    from liveops.core.links import may_open

    request = context.get("request")
    if request is None:
        return ""
    try:
        path = reverse(view_name, args=args)
    except NoReverseMatch:
        return ""
    return path if may_open(access=access_for(request.user), path=path) else ""
