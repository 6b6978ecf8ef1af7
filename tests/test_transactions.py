"""retry_on_conflict: a transaction that loses a deadlock runs again; other errors do not."""

import pytest
from django.db import OperationalError, transaction
from psycopg import errors

from hub.transactions import ATTEMPTS, retry_on_conflict

pytestmark = pytest.mark.django_db(transaction=True)


def lost(cause_type):
    error = OperationalError("lost")
    error.__cause__ = cause_type("lost")
    return error


def test_a_transaction_that_loses_a_deadlock_runs_again():
    calls = []

    @retry_on_conflict
    def write():
        calls.append(1)
        if len(calls) < 3:
            raise lost(errors.DeadlockDetected)
        return "done"

    assert write() == "done"
    assert len(calls) == 3


def test_retrying_gives_up_after_a_few_attempts():
    calls = []

    @retry_on_conflict
    def write():
        calls.append(1)
        raise lost(errors.SerializationFailure)

    with pytest.raises(OperationalError):
        write()
    assert len(calls) == ATTEMPTS


def test_other_errors_are_not_retried():
    calls = []

    @retry_on_conflict
    def write():
        calls.append(1)
        raise lost(errors.UndefinedTable)

    with pytest.raises(OperationalError):
        write()
    assert len(calls) == 1


def test_inside_another_transaction_the_conflict_goes_up_to_it():
    calls = []

    @retry_on_conflict
    def write():
        calls.append(1)
        raise lost(errors.DeadlockDetected)

    with pytest.raises(OperationalError), transaction.atomic():
        write()
    assert len(calls) == 1
