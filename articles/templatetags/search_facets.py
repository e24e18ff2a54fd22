from django import template

register = template.Library()


@register.simple_tag(takes_context=True)
def narrowed(context, parameter: str, value: str) -> str:
    """This search's query string narrowed by ``parameter=value``, from page one."""
    query = context["request"].GET.copy()
    query[parameter] = value
    query.pop("page", None)
    return f"?{query.urlencode()}"
