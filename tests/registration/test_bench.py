"""Smoke test of bench/registration_rush.py's pure helpers (no server, no database)."""

import importlib.util
import sys
from pathlib import Path

import pytest

PATH = Path(__file__).resolve().parents[2] / "bench" / "registration_rush.py"


@pytest.fixture(scope="module")
def rush():
    spec = importlib.util.spec_from_file_location("registration_rush", PATH)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look the module up while it loads
    try:
        spec.loader.exec_module(module)
        yield module
    finally:
        sys.modules.pop(spec.name, None)


def test_spread_700_over_371_units(rush):
    counts = rush.spread_counts(700, 371)
    assert sum(counts) == 700
    assert len(counts) == 371
    assert min(counts) >= 1  # every municipality (and Oslo district) sends someone
    assert max(counts) <= 4
    heavy = sum(n >= 3 for n in counts)
    assert 371 // 5 <= heavy <= 371 // 3  # about a quarter go over the cap of 2
    assert rush.spread_counts(700, 371) == counts  # deterministic


@pytest.mark.parametrize(("people", "units"), [(0, 5), (1, 1), (7, 3), (50, 371), (1000, 357)])
def test_spread_always_sums_to_people(rush, people, units):
    counts = rush.spread_counts(people, units)
    assert sum(counts) == people
    assert len(counts) == units
    assert min(counts) >= 0


def test_spread_keeps_a_units_people_together(rush):
    order = rush.spread(20, 6)
    assert len(order) == 20
    assert order == sorted(order)
    counts = rush.spread_counts(20, 6)
    assert [order.count(j) for j in range(6)] == counts


def test_spread_refuses_no_units(rush):
    with pytest.raises(ValueError):
        rush.spread_counts(10, 0)


def test_percentile(rush):
    values = list(range(1, 101))  # 1..100
    assert rush.percentile(values, 0) == 1
    assert rush.percentile(values, 100) == 100
    assert rush.percentile(values, 50) == pytest.approx(50.5)
    assert rush.percentile(values, 95) == pytest.approx(95.05)
    assert rush.percentile([7.0], 95) == 7.0
    assert rush.percentile([3, 1, 2], 50) == 2  # unsorted input
    with pytest.raises(ValueError):
        rush.percentile([], 50)
    with pytest.raises(ValueError):
        rush.percentile([1], 101)


def test_interleave_and_expected_confirmed(rush):
    assert rush.interleave([[1, 2, 3], ["a"], [10, 20]]) == [1, "a", 10, 2, 20, 3]
    assert rush.interleave([]) == []
    assert rush.expected_confirmed([1, 2, 3, 4, 0], 2) == 1 + 2 + 2 + 2
