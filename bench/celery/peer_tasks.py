"""The Celery side of `bench/run peer`: the same no-op handler as bench/functions/noop2, as a Celery task.

The broker and the result backend are the Redis server the benchmark starts (PEER_REDIS_URL).
"""
import os

from celery import Celery

app = Celery("peer_tasks", broker=os.environ["PEER_REDIS_URL"], backend=os.environ["PEER_REDIS_URL"])
app.conf.update(task_serializer="json", result_serializer="json", accept_content=["json"],
                broker_connection_retry_on_startup=True)


@app.task(name="noop")
def noop(x):
    return x
