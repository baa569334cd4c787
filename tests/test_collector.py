"""A web worker's garbage collection between requests (roadmap_site/collector.py) and gunicorn's hooks for it."""

import gc
import random
import runpy

import pytest
from django.conf import settings

from roadmap_site import collector


@pytest.fixture
def collections(monkeypatch):
    """The generations gc.collect() is asked for, instead of collecting."""
    asked: list[int] = []
    monkeypatch.setattr(gc, "collect", lambda generation=2: asked.append(generation) or 0)
    return asked


@pytest.fixture
def thresholds():
    before = gc.get_threshold()
    yield
    gc.set_threshold(*before)


class Midpoint(random.Random):
    """The spread's middle every time: full collections exactly every `full_seconds`."""

    def uniform(self, a, b):
        return (a + b) / 2


class Clock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        return self.now


def test_the_young_generations_go_before_each_request_and_everything_now_and_then_after_one(collections):
    clock = Clock()
    pacer = collector.Pacer(full_seconds=60, clock=clock, rng=Midpoint())
    for _ in range(3):
        pacer.before_request()
        pacer.after_request()
        clock.now += 10
    assert collections == [1, 1, 1]  # 30 s in: no full collection yet
    collections.clear()
    clock.now += 30  # 60 s after the pacer started
    pacer.before_request()
    pacer.after_request()
    pacer.before_request()
    pacer.after_request()  # the next full one is 60 s later
    assert collections == [1, 2, 1]
    collections.clear()
    clock.now += 59
    pacer.after_request()
    assert collections == []
    clock.now += 1
    pacer.after_request()
    assert collections == [2]


def test_full_collections_are_spread_so_the_workers_do_not_pause_together(collections):
    intervals = []
    for seed in range(20):
        clock = Clock()
        pacer = collector.Pacer(full_seconds=600, clock=clock, rng=random.Random(seed))  # noqa: S311
        for _ in range(3):
            started = clock.now
            while 2 not in collections:
                clock.now += 1
                pacer.after_request()
            collections.clear()
            intervals.append(clock.now - started)
    assert all(300 <= interval <= 901 for interval in intervals)
    assert len(set(intervals)) > 50  # not one schedule that every worker would follow


def test_a_worker_keeps_automatic_collection_as_a_safety_net_only(thresholds):
    pacer = collector.worker_started()
    assert gc.get_threshold() == collector.SAFETY_THRESHOLDS
    assert isinstance(pacer, collector.Pacer)


def test_the_master_freezes_the_loaded_app_before_forking(monkeypatch):
    frozen = []
    monkeypatch.setattr(gc, "freeze", lambda: frozen.append(True))
    collector.before_fork()
    assert frozen == [True]


def test_gunicorns_hooks_freeze_before_forking_and_pace_each_worker(monkeypatch, collections, thresholds):
    frozen = []
    monkeypatch.setattr(gc, "freeze", lambda: frozen.append(True))
    config = runpy.run_path(str(settings.BASE_DIR / "gunicorn.conf.py"))
    assert config["preload_app"] is True  # what makes freezing in the master worth it
    config["pre_request"](None, None)  # before a worker started (no pacer yet): nothing happens
    config["post_request"](None, None, {}, None)
    assert collections == []
    config["pre_fork"](None, None)
    assert frozen == [True]
    config["post_fork"](None, None)
    assert gc.get_threshold() == collector.SAFETY_THRESHOLDS
    for _ in range(2):
        config["pre_request"](None, None)
        config["post_request"](None, None, {}, None)
    assert collections == [1, 1]  # the first full collection is minutes away
