"""The large-center example: the committed file is what its generator writes, and it is sound.

``scenarios/large_center/large_center.yaml`` is generated from the compact description in
``generate.py``; a change of one without the other fails here. The totals are checked against
the description by hand arithmetic (the Zipf split keeps each family's volume), not against
numbers copied from the file.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

import wsim

ROOT = Path(__file__).resolve().parents[1]
FOLDER = ROOT / "scenarios" / "large_center"


@pytest.fixture(scope="module")
def generate():
    spec = importlib.util.spec_from_file_location("large_center_generate", FOLDER / "generate.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def scenario():
    return wsim.load_scenario(FOLDER / "large_center.yaml")


def test_the_committed_file_is_what_the_script_writes(generate):
    committed = (FOLDER / "large_center.yaml").read_text(encoding="utf-8")
    assert committed == generate.render(), "run python scenarios/large_center/generate.py"


def test_it_has_the_matters_and_volume_of_its_description(generate, scenario):
    rows = [row for members in generate.DEPARTMENTS.values() for row in members]
    assert len(scenario.services) == sum(n for _, n, *_ in rows) == 1000
    # one stream per matter; the shares of a family sum to 1 (6 significant digits written)
    assert len(scenario.demand) == 1000
    volume = sum(d.per_day for d in scenario.demand)
    assert volume == pytest.approx(sum(v for _, _, v, _, _ in rows), rel=1e-5)
    for family, n, per_day, mean, _ in rows:
        first = scenario.services[f"{family}_001"].window_time.expected()
        assert first == pytest.approx(mean)
        streams = [d.per_day for d in scenario.demand if d.service.startswith(f"{family}_")]
        assert len(streams) == n
        assert sum(streams) == pytest.approx(per_day, rel=1e-5)
        assert streams[0] / streams[-1] == pytest.approx(n, rel=1e-5)  # Zipf: 1/1 over 1/n


def test_the_comprehensive_group_serves_every_matter_and_each_department_its_own(
    generate, scenario
):
    groups = {g.name: set(g.serves) for g in scenario.windows}
    assert groups["general"] == set(scenario.services)
    for department, rows in generate.DEPARTMENTS.items():
        mine = {name for name in scenario.services for f, *_ in rows if name.startswith(f + "_")}
        assert groups[department] == mine
    assert groups["property_registration"] < groups["real_estate"]  # a desk of its own too


def test_the_zipf_shares_sum_to_one_and_fall_with_rank(generate):
    shares = generate.shares(4)
    assert sum(shares) == pytest.approx(1.0)
    assert shares == pytest.approx([12 / 25, 6 / 25, 4 / 25, 3 / 25])  # 1/r over H_4 = 25/12
