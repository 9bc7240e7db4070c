"""A results folder that lets an interrupted run resume: one file per finished replication.

Layout of a folder::

    manifest.json                    wsim version, seed, option name -> scenario digest
    resolved_scenarios/<digest16>.json   each option's resolved scenario (Scenario.to_dict())
    replications/<digest16>/r000012.pkl.gz   replication 12 of that scenario (pickled, gzip)
    replications/<digest16>/r000040.kpis.pkl.gz   replication 40, its KPIs only (no tables)

`<digest16>` is the first 16 hex digits of :meth:`Scenario.digest`. Every file is written to a
temporary name in the same folder and renamed when complete, so a file under a final name is
always a whole result: a run killed at any moment leaves finished replications and, at most,
a temporary file that is ignored (and replaced by the next run). Running again skips the
replications that are on disk and runs the rest.

The folder belongs to one seed and one wsim version, and each option name to one scenario:
opening it with a different seed or version, or an option name with a changed scenario,
raises :class:`StoreMismatch` instead of mixing results. New options may join a folder.

Replication files are Python pickles: open only folders you (or your colleagues) wrote.
"""

from __future__ import annotations

import gzip
import json
import os
import pickle
import re
import shutil
from collections.abc import Mapping
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from wsim._version import __version__
from wsim.errors import WsimError
from wsim.experiment.replication import Replication
from wsim.files import write_bytes_atomic
from wsim.scenario import Scenario

MANIFEST = "manifest.json"
REPLICATIONS = "replications"
SCENARIOS = "resolved_scenarios"
FORMAT = 1
_REPLICATION_FILE = re.compile(r"^r(\d{6,})(\.kpis)?\.pkl\.gz$")


class StoreMismatch(WsimError, ValueError):
    """A results folder holds results of another seed, wsim version or scenario."""


def short_digest(scenario: Scenario) -> str:
    """The first 16 hex digits of the scenario's digest: its folder name in a store."""
    return scenario.digest()[:16]


class RunStore:
    """The resume folder of one run: which replications are done, and saving new ones.

    Opening checks (or creates) the manifest; see the module docstring for the rules.
    """

    def __init__(self, folder: str | os.PathLike, seed: int, scenarios: Mapping[str, Scenario]):
        self.folder = Path(folder)
        self.seed = int(seed)
        self.scenarios = dict(scenarios)
        self.digests = {name: scenario.digest() for name, scenario in self.scenarios.items()}
        self._open()

    def _open(self) -> None:
        manifest_path = self.folder / MANIFEST
        if manifest_path.exists():
            manifest = self._read_manifest(manifest_path)
            self._check(manifest)
            options = {**manifest["options"], **self.digests}
            created = manifest.get("created")
        else:
            self._refuse_foreign_folder()
            options, created = dict(self.digests), _now()
        self.folder.mkdir(parents=True, exist_ok=True)
        for scenario in self.scenarios.values():
            path = self.folder / SCENARIOS / f"{short_digest(scenario)}.json"
            if not path.exists():
                text = json.dumps(scenario.to_dict(), indent=1, ensure_ascii=False)
                write_bytes_atomic(path, text.encode("utf-8"))
            (self.folder / REPLICATIONS / short_digest(scenario)).mkdir(parents=True, exist_ok=True)
        manifest = {
            "format": FORMAT,
            "wsim_version": __version__,
            "seed": self.seed,
            "created": created,
            "options": options,
        }
        write_bytes_atomic(manifest_path, json.dumps(manifest, indent=1).encode("utf-8"))

    def _read_manifest(self, path: Path) -> dict[str, Any]:
        try:
            manifest = json.loads(path.read_text(encoding="utf-8"))
        except (ValueError, UnicodeDecodeError) as error:
            raise StoreMismatch(
                f"{path} is not a wsim manifest ({error}); use another output folder"
            ) from None
        if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
            raise StoreMismatch(f"{path} is not a wsim manifest; use another output folder")
        return manifest

    def _refuse_foreign_folder(self) -> None:
        """Refuse a folder that holds replication files but no manifest (not ours)."""
        replications = self.folder / REPLICATIONS
        if replications.is_dir() and any(replications.iterdir()):
            raise StoreMismatch(
                f"{self.folder} holds replications but no {MANIFEST}; "
                "use another output folder or delete this one"
            )

    def _check(self, manifest: Mapping[str, Any]) -> None:
        """Refuse a folder written with another seed, wsim version, or scenario of a name."""
        where = f"the results in {self.folder}"
        advice = "use another output folder, or start over (--fresh, or delete the folder)"
        if manifest.get("seed") != self.seed:
            raise StoreMismatch(
                f"{where} were run with seed {manifest.get('seed')}, not {self.seed}; {advice}"
            )
        if manifest.get("wsim_version") != __version__:
            raise StoreMismatch(
                f"{where} were run with wsim {manifest.get('wsim_version')}, this is wsim "
                f"{__version__}; {advice}"
            )
        changed = [
            name
            for name, digest in self.digests.items()
            if name in manifest["options"] and manifest["options"][name] != digest
        ]
        if changed:
            listed = ", ".join(
                f"{name!r} (was {manifest['options'][name][:12]}, now {self.digests[name][:12]})"
                for name in changed
            )
            raise StoreMismatch(
                f"{where} were run with a different scenario for option {listed}: "
                f"the scenario changed since; {advice}"
            )

    def _folder_of(self, name: str) -> Path:
        return self.folder / REPLICATIONS / self.digests[name][:16]

    def _path(self, name: str, replication: int, tables: bool) -> Path:
        suffix = "" if tables else ".kpis"
        return self._folder_of(name) / f"r{replication:06d}{suffix}.pkl.gz"

    def done(self, name: str) -> dict[int, bool]:
        """The replications of option `name` on disk: index -> whether its tables are kept."""
        found: dict[int, bool] = {}
        for entry in os.scandir(self._folder_of(name)):
            match = _REPLICATION_FILE.match(entry.name)
            if match:
                index = int(match.group(1))
                found[index] = found.get(index, False) or match.group(2) is None
        return found

    def load(self, name: str, replication: int, tables: bool = True) -> Replication:
        """Read replication `replication` of option `name` (the file with tables, or not)."""
        path = self._path(name, replication, tables)
        try:
            with gzip.open(path, "rb") as file:
                return pickle.load(file)
        except (OSError, EOFError, pickle.UnpicklingError, AttributeError, ImportError) as error:
            raise StoreMismatch(
                f"cannot read {path} ({error}); delete it and run again to redo that replication"
            ) from None

    def save(self, name: str, replication: Replication, tables: bool = True) -> Path:
        """Write a finished replication of option `name` (atomically).

        `tables` says whether the replication carries its tables (see
        :class:`wsim.experiment.executors.Task`); a KPI-only file does not stand in for a full one.
        """
        data = gzip.compress(pickle.dumps(replication, protocol=pickle.HIGHEST_PROTOCOL), 1)
        return write_bytes_atomic(self._path(name, replication.replication, tables), data)


class StoredTables:
    """Reads the tables of replications `indices` of option `name` back from `store`.

    What a comparison gives :class:`~wsim.experiment.Results` for the tables it keeps out of
    memory. `keep` is held for as long as this object lives (a temporary folder's owner).
    """

    def __init__(self, store: RunStore, name: str, indices: list[int], keep: Any = None):
        self.store = store
        self.name = name
        self.indices = list(indices)
        self.keep = keep

    def __call__(self) -> list[Replication]:
        """The replications, with their tables, read from the store."""
        return [self.store.load(self.name, r) for r in self.indices]


def clear_store(folder: str | os.PathLike) -> None:
    """Delete what a store wrote in `folder` (to start a run over); nothing else is touched.

    A folder without a manifest has nothing to delete; one whose manifest is not wsim's is
    refused (:class:`StoreMismatch`).
    """
    folder = Path(folder)
    manifest = folder / MANIFEST
    if not manifest.exists():
        return
    try:
        ours = json.loads(manifest.read_text(encoding="utf-8")).get("format") == FORMAT
    except (ValueError, UnicodeDecodeError, AttributeError):
        ours = False
    if not ours:
        raise StoreMismatch(f"{manifest} is not a wsim manifest; not deleting anything")
    replications = folder / REPLICATIONS
    if replications.is_dir():
        for entry in replications.iterdir():
            if re.fullmatch(r"[0-9a-f]{16}", entry.name) and entry.is_dir():
                shutil.rmtree(entry)
        _remove_if_empty(replications)
    scenarios = folder / SCENARIOS
    if scenarios.is_dir():
        for entry in scenarios.glob("*.json"):
            if re.fullmatch(r"[0-9a-f]{16}\.json", entry.name):
                entry.unlink()
        _remove_if_empty(scenarios)
    manifest.unlink()


def _remove_if_empty(folder: Path) -> None:
    if not any(folder.iterdir()):
        folder.rmdir()


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")
