"""Writes that a page view causes but the reader need not wait for, run after the response.

``after_response(request, func, *args)`` queues ``func`` on the request; ``AfterResponseMiddleware``
hands the queue to the response, which runs it when the server closes the response: after the
body went out (WSGI and ASGI alike call ``close()`` once the last byte is sent), outside the
view's transaction and any lock it held. The topic read marker and the day's activity row are
written this way, so a reader's page does not wait on them. A failing job is logged, never shown.

Outside a request that went through the middleware (a shell, a task), the job runs at once.
"""

import logging

logger = logging.getLogger(__name__)

ATTRIBUTE = "_after_response"


def after_response(request, func, *args, **kwargs) -> None:
    """Run ``func(*args, **kwargs)`` once the response to ``request`` has been sent."""
    queue = getattr(request, ATTRIBUTE, None) if request is not None else None
    if queue is None:
        func(*args, **kwargs)
        return
    queue.append((func, args, kwargs))


def _run(queue) -> None:
    for func, args, kwargs in queue:
        try:
            func(*args, **kwargs)
        except Exception:
            logger.warning(
                "deferred write %s failed", getattr(func, "__name__", func), exc_info=True
            )
    queue.clear()


class AfterResponseMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        queue = []
        setattr(request, ATTRIBUTE, queue)
        response = self.get_response(request)
        # Django runs a response's resource closers from close(), before request_finished
        # (which returns the database connection), so the jobs still have their connection.
        response._resource_closers.append(lambda: _run(queue))
        return response
