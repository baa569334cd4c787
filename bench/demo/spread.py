"""Seeded randomness and spreading totals: the helpers both the catalogue and the learners are built with."""

import math
import random
from collections.abc import Sequence
from datetime import datetime, timedelta

from bench.demo.sizes import SEED, DemoError


def _rng(*key) -> random.Random:
    """A generator of its own for each purpose (and learner), so no choice depends on another's."""
    return random.Random(":".join(map(str, (SEED, *key))))  # noqa: S311 - synthetic data, not secrets


def _lower_first(text: str) -> str:
    return text if text[:2].isupper() else text[0].lower() + text[1:]


def _at(start: datetime, seconds: float) -> datetime:
    return start + timedelta(seconds=int(seconds))


# --- Spreading totals ---------------------------------------------------------------------------------


def apportion(total: int, weights: Sequence[float], caps: Sequence[int]) -> list[int]:
    """`total` split in proportion to the (positive) `weights`, no share above its cap; the shares add up
    to `total`."""
    if total > sum(caps):
        raise DemoError(f"cannot spread {total} over capacities adding up to {sum(caps)}")
    shares = [0] * len(weights)
    left = total
    while left:
        open_ = [i for i, cap in enumerate(caps) if shares[i] < cap]
        weight_sum = sum(weights[i] for i in open_)
        given = 0
        for i in open_:
            extra = min(caps[i] - shares[i], int(left * weights[i] / weight_sum))
            shares[i] += extra
            given += extra
        if not given:  # every proportional share rounded down to 0: one more each, heaviest first
            for i in sorted(open_, key=lambda i: -weights[i])[:left]:
                shares[i] += 1
                given += 1
        left -= given
    return shares


def _jittered_sizes(total: int, parts: int, rng: random.Random, spread: float = 0.2) -> list[int]:
    """`parts` sizes adding up to `total`, each within ±spread of the mean."""
    mean = total / parts
    low, high = math.ceil(mean * (1 - spread)), math.floor(mean * (1 + spread))
    sizes = [total // parts + (1 if i < total % parts else 0) for i in range(parts)]
    for _ in range(parts * 10):
        giver, taker = rng.randrange(parts), rng.randrange(parts)
        amount = rng.randint(1, 5)
        if giver != taker and sizes[giver] - amount >= low and sizes[taker] + amount <= high:
            sizes[giver] -= amount
            sizes[taker] += amount
    return sizes


def _even_chunks(items: Sequence, parts: int) -> list[list]:
    base, extra = divmod(len(items), parts)
    chunks, start = [], 0
    for index in range(parts):
        end = start + base + (1 if index < extra else 0)
        chunks.append(list(items[start:end]))
        start = end
    return chunks


def _weighted_sample(rng: random.Random, weights: Sequence[float], k: int) -> tuple[int, ...]:
    """k distinct indices, heavier ones more likely, in the order drawn."""
    pool = list(range(len(weights)))
    chosen = []
    for _ in range(min(k, len(pool))):
        pick = rng.choices(pool, [weights[i] for i in pool])[0]
        chosen.append(pick)
        pool.remove(pick)
    return tuple(chosen)
