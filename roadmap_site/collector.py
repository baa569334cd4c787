"""A web worker's cyclic garbage collection, done between requests instead of in the middle of them.

Reference counting frees almost everything a request makes; the cyclic collector is there for the rest. Left
to its default thresholds (700, 10, 10) it runs whenever enough objects have been allocated, so in the middle
of requests, and it walks every object of the generations it collects. A worker keeps hundreds of thousands of
objects alive in its memos (plumbing.overlay: pages' shared parts and their data): under the mix of `make
bench` its full collections took 0.2 to 0.7 s each, and the five workers, serving alike, made them within
seconds of each other. Objects still in use by the request being served were promoted to the older
generations by the collections it triggered, and became old garbage that only a full collection finds.

gunicorn.conf.py wires this up:

- the master freezes the loaded app before it forks the workers (`gc.freeze()`, as the gc module's
  documentation advises for a fork without exec): no worker's collection walks those objects again, and
  their memory pages stay shared between the workers instead of being copied on write;
- each worker raises the automatic thresholds to `SAFETY_THRESHOLDS`, which a request seldom reaches (a
  safety net for one that makes a lot of cyclic garbage);
- before each request (gunicorn's pre_request hook) it collects the young generations: the previous
  request's own objects are gone by then, so this walks only what it left behind and finds its cyclic
  garbage while it is young (about 25 microseconds a request under the mix);
- after a response has been sent (post_request), every FULL_SECONDS or so, it collects everything: under the
  mix such a collection found a few dozen to a few hundred objects. The intervals are spread by a random
  factor, so the workers don't pause together.
"""

import gc
import random
import time

SAFETY_THRESHOLDS = (100_000, 10, 1_000_000)
FULL_SECONDS = 600.0
FULL_SPREAD = 0.5  # each interval between full collections is FULL_SECONDS × a random factor in [0.5, 1.5)


class Pacer:
    """Runs a worker's collections between its requests."""

    def __init__(self, *, full_seconds: float | None = None, clock=time.monotonic, rng=None):
        self.full_seconds = full_seconds or FULL_SECONDS
        self.clock = clock
        self.rng = rng or random.Random()  # noqa: S311 - spreading pauses, not a secret
        self.next_full = self.clock() + self._full_interval()

    def _full_interval(self) -> float:
        return self.full_seconds * self.rng.uniform(1 - FULL_SPREAD, 1 + FULL_SPREAD)

    def before_request(self) -> None:
        """The young generations: what the requests before this one left, their own objects gone by now."""
        gc.collect(1)

    def after_request(self) -> None:
        """Everything, once in a while, with this response sent."""
        if self.clock() >= self.next_full:
            gc.collect()
            self.next_full = self.clock() + self._full_interval()


def before_fork() -> None:
    """In the master, with the app loaded: its objects to the permanent generation."""
    gc.freeze()


def worker_started() -> Pacer:
    """In a new worker: automatic collection as a safety net only; the returned Pacer does the rest."""
    gc.set_threshold(*SAFETY_THRESHOLDS)
    return Pacer()
