"""Every URL pattern in the URLconf, flattened, with its full name, route and parameters."""

from dataclasses import dataclass

from django.urls import URLPattern, URLResolver, get_resolver


@dataclass(frozen=True)
class Pattern:
    name: str  # "namespace:name", or the route when a pattern has no name
    route: str
    converters: tuple  # the names of the route's parameters, includes' ones first
    named: bool = True


def _params(entry):
    # path() routes name their parameters as converters, re_path() as regex groups.
    return tuple(getattr(entry.pattern, "converters", None) or entry.pattern.regex.groupindex)


def all_patterns(resolver=None, prefix="", namespace="", params=()):
    resolver = resolver or get_resolver()
    found = []
    for entry in resolver.url_patterns:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            found += all_patterns(entry, route, inner, params + _params(entry))
        elif isinstance(entry, URLPattern):
            name = f"{namespace}{entry.name}" if entry.name else route
            found.append(
                Pattern(
                    name=name,
                    route=route,
                    converters=params + _params(entry),
                    named=bool(entry.name),
                )
            )
    return found
