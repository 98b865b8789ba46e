"""`celery worker --beat-thread`: run beat as a thread of the worker (what `make run` does).

`--beat` runs the embedded beat in a child process of its own (~200 MB: Django and the apps again). A thread
costs almost nothing, and `make run` has exactly one worker, so there is exactly one beat. Production runs
beat as its own service (compose.yaml); docs/celery.md.
"""

from __future__ import annotations

import click
from celery import Celery, bootsteps
from celery.beat import EmbeddedService


class BeatThread(bootsteps.StartStopStep):
    """Starts the beat scheduler in a thread when the worker was started with --beat-thread."""

    label = "Beat (thread)"

    def __init__(self, worker, beat_thread: bool = False, **kwargs) -> None:
        self.enabled = bool(beat_thread)
        super().__init__(worker, **kwargs)

    def create(self, worker):
        return EmbeddedService(worker.app, thread=True, scheduler_cls=worker.app.conf.beat_scheduler)


def install(app: Celery) -> None:
    """Add the --beat-thread option and its step to the app's workers."""
    app.user_options["worker"].add(
        click.Option(["--beat-thread"], is_flag=True, default=False, help="Run beat as a thread of this worker.")
    )
    app.steps["worker"].add(BeatThread)
