"""Transactions that lose a deadlock or a serialization conflict run again.

PostgreSQL breaks a deadlock by failing one of the transactions in it (``DeadlockDetected``), and
a serializable transaction can fail with ``SerializationFailure``; in both cases nothing was
written, so running the whole transaction again is safe. Services take their locks in one order
(see each app's ``services.py``) so that this is rare; ``retry_on_conflict`` covers the rest.

Only an outermost transaction can be retried: inside someone else's ``atomic`` block the whole
transaction is already lost, so the error goes up to the block that started it.
"""

import functools
import logging
import random
import time

from django.db import DatabaseError, connection, transaction

logger = logging.getLogger(__name__)

ATTEMPTS = 4


def is_conflict(error: BaseException) -> bool:
    """A deadlock or serialization failure, as Django wraps psycopg's errors."""
    try:
        from psycopg import errors
    except ImportError:  # pragma: no cover  (SQLite-only installs)
        return False
    cause = error.__cause__ or error
    return isinstance(cause, errors.DeadlockDetected | errors.SerializationFailure)


def retry_on_conflict(function):
    """Run ``function`` in a transaction, again (up to ``ATTEMPTS`` times in all, after a short
    random pause) when the transaction loses a deadlock or a serialization conflict."""

    @functools.wraps(function)
    def wrapper(*args, **kwargs):
        if connection.in_atomic_block:
            with transaction.atomic():
                return function(*args, **kwargs)
        for attempt in range(1, ATTEMPTS + 1):
            try:
                with transaction.atomic():
                    return function(*args, **kwargs)
            except DatabaseError as error:
                if attempt == ATTEMPTS or not is_conflict(error):
                    raise
                logger.warning(
                    "%s lost a transaction conflict (%s); attempt %d of %d",
                    function.__qualname__,
                    type(error.__cause__ or error).__name__,
                    attempt + 1,
                    ATTEMPTS,
                )
                time.sleep(random.uniform(0.01, 0.05) * attempt)  # noqa: S311  (jitter)
        raise AssertionError("unreachable")  # pragma: no cover

    return wrapper
