"""A route for the busiest reads (the partner data API): its query and path parameters checked
in one pydantic call, its dependencies and endpoint called directly.

FastAPI solves a route's parameters one by one, asking of each field on every request what
kind of annotation it has, how to read it from the query string and how to validate it: for
the data routes, with nine parameters and a cached answer in hand, about a third of the
server's time. A PreparedRoute builds one pydantic model from the same declared fields (their
annotations and constraints exactly as FastAPI validates them, so OpenAPI and the checks are
unchanged) and validates a request's parameters with it in one call.

Anything the prepared check does not accept, or that it was not built for, takes FastAPI's
own handler, so that every error reads as elsewhere: a parameter that fails (422 with FastAPI's
`errors`), and every request while dependency overrides are set (tests). The route refuses,
when the application is built, parameters it does not read (headers, cookies, a body) and
dependencies other than coroutines of the request alone (a credential's verification, say).
"""

import inspect
from collections.abc import Callable, Coroutine
from typing import Annotated, Any

from fastapi import Request, Response
from fastapi import routing as fastapi_routing
from fastapi._compat import field_annotation_is_sequence
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute
from pydantic import BaseModel, ConfigDict, Field, ValidationError, create_model
from pydantic.fields import FieldInfo
from starlette.types import Receive, Scope, Send

Handler = Callable[[Request], Coroutine[Any, Any, Response]]


_NOT_CHECKS = {"default", "default_factory", "alias", "alias_priority", "validation_alias", "serialization_alias",
               "validate_default"}


def _annotated(field_info: FieldInfo) -> Any:
    """The field's type as FastAPI validates it (fastapi/_compat/v2.py ModelField): its
    annotation, its constraints, and a FieldInfo with the rest of its attributes."""
    parts = field_info.asdict()
    # The model is given values by name, and the default beside the type; FastAPI does not
    # validate a default either.
    attributes = {k: v for k, v in parts["attributes"].items() if k not in _NOT_CHECKS}
    arguments = (parts["annotation"], *parts["metadata"], Field(**attributes))
    return Annotated[arguments]


class _Plan:
    """What one request needs: each parameter's name in the URL and whether it repeats, the
    model that checks them together, and the dependencies to await."""

    def __init__(self, dependant: Dependant) -> None:
        refused = [kind for kind in ("header_params", "cookie_params", "body_params") if getattr(dependant, kind)]
        if refused:
            raise TypeError(f"PreparedRoute reads query and path parameters only, not {', '.join(refused)}")
        self.endpoint = dependant.call
        if not inspect.iscoroutinefunction(self.endpoint):
            raise TypeError("A PreparedRoute's endpoint must be a coroutine: it is called on the event loop")
        self.request_name = dependant.request_param_name
        # (the endpoint's parameter for its result or None, the coroutine, its request parameter)
        self.dependencies: list[tuple[str | None, Callable[..., Any], str]] = []
        for sub in dependant.dependencies:
            only_request = not (sub.query_params or sub.path_params or sub.header_params or sub.cookie_params
                                or sub.body_params or sub.dependencies) and sub.request_param_name
            if not only_request or not inspect.iscoroutinefunction(sub.call):
                raise TypeError(f"PreparedRoute: {sub.call!r} must be a coroutine taking only the request")
            self.dependencies.append((sub.name, sub.call, sub.request_param_name))
        fields: dict[str, Any] = {}
        self.query: list[tuple[str, str, bool]] = []  # (name, alias, repeats)
        self.path: list[tuple[str, str]] = []
        for field in dependant.query_params:
            # Repeated (read with getlist) by FastAPI's own rule: a list, a list or None, ...
            self.query.append((field.name, field.alias, field_annotation_is_sequence(field.field_info.annotation)))
            fields[field.name] = self._field(field.field_info)
        for field in dependant.path_params:
            self.path.append((field.name, field.alias))
            fields[field.name] = self._field(field.field_info)
        self.model: type[BaseModel] = create_model(
            f"Prepared_{getattr(self.endpoint, '__name__', 'endpoint')}",
            __config__=ConfigDict(arbitrary_types_allowed=True), **fields)

    @staticmethod
    def _field(field_info: FieldInfo) -> tuple[Any, Any]:
        if field_info.is_required():
            return _annotated(field_info), ...
        return _annotated(field_info), field_info.get_default(call_default_factory=True)

    async def respond(self, request: Request) -> Response | None:
        """The endpoint's response, or None if the request is not for this plan (a parameter
        fails, or dependency overrides are set)."""
        if request.app.dependency_overrides:
            return None
        arguments = self.arguments(request)
        if arguments is None:
            return None
        for name, call, request_name in self.dependencies:
            result = await call(**{request_name: request})
            if name is not None:
                arguments[name] = result
        if self.request_name:
            arguments[self.request_name] = request
        response = await self.endpoint(**arguments)
        if not isinstance(response, Response):
            raise TypeError("A PreparedRoute's endpoint returns a Response: nothing here serialises a model")
        return response

    def arguments(self, request: Request) -> dict[str, Any] | None:
        """The endpoint's parameters from this request, or None if any one fails."""
        # The query's values by name in one pass (a look-up of each declared name in Starlette's
        # multidict costs a raised KeyError for every one not given). A name given more than
        # once is a list if it repeats, else its last value, as Starlette's `get` reads it.
        given: dict[str, list[str]] = {}
        for key, value in request.query_params.multi_items():
            given.setdefault(key, []).append(value)
        data: dict[str, Any] = {}
        for name, alias, repeats in self.query:
            values = given.get(alias)
            if values:
                data[name] = values if repeats else values[-1]
        path = request.path_params
        for name, alias in self.path:
            data[name] = path[alias]
        try:
            checked = self.model.model_validate(data)
        except ValidationError:
            return None
        return checked.__dict__.copy()  # the fields' values (dict(model) first asks for .keys)


def _effective_dependant(route: APIRoute) -> Dependant:
    """The route's dependant as included: FastAPI 0.165 builds an included route's handler
    under a context that adds the including routers' dependencies (as APIRoute.get_route_handler
    reads it); older versions copied the route, whose own dependant is then complete."""
    context = getattr(fastapi_routing, "_effective_route_context_var", None)
    effective = context.get() if context is not None else None
    if effective is not None and effective.original_route is route and effective.dependant is not None:
        return effective.dependant
    return route.dependant


class PreparedRoute(APIRoute):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Served directly, the route skips FastAPI's per-request wrapping too (its exit stacks,
        # for dependencies with `yield`, which a prepared route has none of); errors raised
        # propagate to the application's exception middleware, which answers them alike. Anything
        # the plan does not take goes to the route's standard application, exactly as FastAPI
        # builds it. (Included in another router, FastAPI serves the route through
        # get_route_handler, which prepares the same way inside its wrapping.)
        standard_app, plan = self.app, self.prepared

        async def app(scope: Scope, receive: Receive, send: Send) -> None:
            response = await plan.respond(Request(scope, receive, send))
            if response is None:
                await standard_app(scope, receive, send)
            else:
                await response(scope, receive, send)

        self.app = app

    def get_route_handler(self) -> Handler:
        standard = super().get_route_handler()
        plan = self.prepared = _Plan(_effective_dependant(self))

        async def handler(request: Request) -> Response:
            response = await plan.respond(request)
            # None: FastAPI's own handler, whose 422 is worded as every other route's
            return response if response is not None else await standard(request)

        return handler
