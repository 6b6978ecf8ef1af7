"""Resources feature apps add to the API, registered from their AppConfig.ready():

    from hub.api.registry import register_resource
    register_resource("events", EventViewSet, basename="event")

so /api/v1/events/ is served by the events app while hub.api imports no feature app. A viewset
subclasses hub.api.base.ApiViewSet (or ReadOnlyApiViewSet) and names its scope(s).
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class Resource:
    prefix: str
    viewset: type
    basename: str


_resources: dict[str, Resource] = {}


def register_resource(prefix: str, viewset, *, basename: str) -> None:
    _resources[prefix] = Resource(prefix=prefix, viewset=viewset, basename=basename)


def resources() -> list[Resource]:
    return sorted(_resources.values(), key=lambda r: r.prefix)
