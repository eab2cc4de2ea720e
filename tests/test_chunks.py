"""Tests of etm.chunks: the memory budget, chunk lengths and slices, the worker count."""

from __future__ import annotations

import os

import pytest

from etm import chunks
from etm.chunks import budget_bytes, chunk_length, chunk_slices, default_workers


def test_default_budget_is_documented_value(monkeypatch):
    monkeypatch.delenv("ETM_MEMORY_MB", raising=False)
    assert chunks.MEMORY_BUDGET_MB == 256.0
    assert budget_bytes() == 256 * 2**20


def test_env_overrides_default_and_keyword_overrides_env(monkeypatch):
    monkeypatch.setenv("ETM_MEMORY_MB", "3")
    assert budget_bytes() == 3 * 2**20
    assert budget_bytes(2.0) == 2 * 2**20  # the keyword wins over the environment
    assert chunk_length(2**20, memory_MB=None) == 3


def test_empty_env_falls_back(monkeypatch):
    monkeypatch.setenv("ETM_MEMORY_MB", "  ")
    assert budget_bytes() == 256 * 2**20


@pytest.mark.parametrize("bad", [0.0, -1.0, float("nan"), float("inf")])
def test_bad_budget_raises(bad):
    with pytest.raises(ValueError, match="memory_MB"):
        budget_bytes(bad)


def test_bad_env_raises(monkeypatch):
    monkeypatch.setenv("ETM_MEMORY_MB", "lots")
    with pytest.raises(ValueError, match="ETM_MEMORY_MB"):
        budget_bytes()
    monkeypatch.setenv("ETM_MEMORY_MB", "-5")
    with pytest.raises(ValueError, match="ETM_MEMORY_MB"):
        budget_bytes()


def test_chunk_length_floor_and_minimum():
    assert chunk_length(1000.0, memory_MB=1.0) == 2**20 // 1000
    assert chunk_length(2**21, memory_MB=1.0) == 1  # one item alone exceeds the budget
    assert chunk_length(2**21, memory_MB=1.0, minimum=7) == 7
    with pytest.raises(ValueError, match="bytes_per_item"):
        chunk_length(0.0)
    with pytest.raises(ValueError, match="minimum"):
        chunk_length(8.0, minimum=0)


@pytest.mark.parametrize(("n", "length"), [(0, 3), (1, 1), (10, 3), (9, 3), (5, 100)])
def test_chunk_slices_cover_range_exactly_once(n, length):
    slices = list(chunk_slices(n, length))
    covered = [i for s in slices for i in range(n)[s]]
    assert covered == list(range(n))
    assert all(0 < s.stop - s.start <= length for s in slices)


def test_chunk_slices_bad_input():
    with pytest.raises(ValueError, match="length"):
        list(chunk_slices(3, 0))
    with pytest.raises(ValueError, match="n must"):
        list(chunk_slices(-1, 2))


def test_default_workers_matches_affinity():
    n = default_workers()
    assert isinstance(n, int) and n >= 1
    if hasattr(os, "sched_getaffinity"):
        assert n == len(os.sched_getaffinity(0))
