"""The list build runs as a Celery task through a real Redis broker."""

import datetime as dt

import pytest
import redis
from celery import Celery
from celery.contrib.testing.worker import start_worker

from followups.models import CallList, QueueEntry
from followups.tasks import build_call_lists_task
from tests.conftest import _missing
from tests.factories import CaseFactory, FollowUpTaskFactory, default_plan

pytestmark = [pytest.mark.redis, pytest.mark.django_db(transaction=True)]

REDIS_URL = "redis://127.0.0.1:6379/15"
DAY = dt.date(2026, 11, 23)


@pytest.fixture
def redis_app():
    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2).ping()
    except redis.exceptions.ConnectionError as error:
        _missing("Redis", f"{REDIS_URL}: {error}")
    # A Celery app of its own on Redis: the project's shared tasks register on it too.
    redis_app = Celery("callcenter-redis-test", broker=REDIS_URL, backend=REDIS_URL)
    redis_app.conf.task_ignore_result = False
    yield redis_app
    redis_app.close()


def test_the_task_builds_the_list_through_redis(redis_app):
    plan = default_plan()
    for _ in range(4):
        FollowUpTaskFactory(case=CaseFactory(plan=plan), due_date=DAY)
    with start_worker(redis_app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
        result = redis_app.send_task(build_call_lists_task.name, args=[DAY.isoformat()])
        report = result.get(timeout=30)
    assert report["added"] == 4
    assert CallList.objects.get(day=DAY).report["added"] == 4
    assert QueueEntry.objects.count() == 4
    assert redis_app.connection_for_write().transport.driver_type == "redis"
