"""The user guide's examples are real: every overlay of the how-tos and the tour's levers load.

The YAML blocks of ``docs/howto.md`` that are overlays on the small hall are written beside a
copy of ``scenarios/examples/small_hall.yaml`` and loaded (the same checks as ``wsim
validate``), and checked against the JSON Schema too; the tour's levers file loads against
its baseline. (The tour's commands themselves were run by hand; their run times are in
``docs/tour.md``.)
"""

from __future__ import annotations

import json
import re
import shutil

from conftest import ROOT
from jsonschema import Draft7Validator
from test_reference import as_json

from wsim.optimize.levers.leverset import load_levers
from wsim.scenario import load_scenario, yamlfile

GUIDE = ROOT / "docs" / "howto.md"
_BLOCK = re.compile(r"```yaml\n(.*?)```", re.DOTALL)


def test_every_howto_overlay_loads(tmp_path):
    shutil.copy(ROOT / "scenarios" / "examples" / "small_hall.yaml", tmp_path)
    schema = json.loads((ROOT / "wsim" / "scenario" / "scenario.schema.json").read_text("utf-8"))
    validator = Draft7Validator(schema)
    blocks = [b for b in _BLOCK.findall(GUIDE.read_text("utf-8")) if "base: small_hall" in b]
    assert len(blocks) >= 3  # a reform option, a Saturday, appointments
    for index, block in enumerate(blocks):
        path = tmp_path / f"howto_{index}.yaml"
        path.write_text(block, encoding="utf-8")
        scenario = load_scenario(path)
        assert scenario.name != "Small hall"  # the overlay's own name
        data = as_json(yamlfile.parse(block, str(path)))
        assert list(validator.iter_errors(data)) == [], block


def test_the_tour_levers_load():
    levers = load_levers(ROOT / "scenarios" / "examples" / "levers" / "small_hall.yaml")
    assert len(levers.levers) >= 3
