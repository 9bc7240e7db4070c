"""Real data shipped with wsim, to try the calibration code and to check the simulator against.

As in ``sklearn.datasets`` or ``statsmodels.datasets``, each data set is a compressed file
inside the package with a notes file giving its source, licence and columns::

    import wsim.datasets

    path = wsim.datasets.anonymous_bank_week()               # the .csv.gz file
    frame = wsim.datasets.anonymous_bank_week(as_frame=True) # a pandas DataFrame
    print(wsim.datasets.describe("anonymous-bank"))          # source, licence, columns

:func:`wsim.calibrate.read_log` reads the compressed file as it is, and ``wsim fit
--dataset anonymous-bank`` (or ``wsim validate-log SCENARIO --dataset anonymous-bank``) uses
it from the command line.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from wsim.errors import WsimError, unknown_name_message

if TYPE_CHECKING:
    import pandas as pd

#: Folder of the data files and their notes inside the installed package.
DATA = Path(__file__).resolve().parent / "data"


class DatasetError(WsimError, ValueError):
    """An unknown data set name, or a data file missing from a broken installation."""


@dataclass(frozen=True)
class Dataset:
    """One data set shipped with wsim.

    ``file`` and ``notes`` are file names in :data:`DATA`; ``preset`` is the
    :data:`wsim.calibrate.PRESETS` layout that reads it; ``title`` is one line for listings.
    """

    name: str
    file: str
    notes: str
    preset: str
    title: str

    @property
    def path(self) -> Path:
        """The data file (compressed CSV) inside the installed package."""
        path = DATA / self.file
        if not path.is_file():
            raise DatasetError(
                f"dataset {self.name!r}: its file {path} is missing from this installation of "
                "wsim; reinstall it (the data files are package data)"
            )
        return path

    def describe(self) -> str:
        """The notes: what the data is, where it comes from, its licence and its columns."""
        return (DATA / self.notes).read_text(encoding="utf-8")

    def load(self, as_frame: bool = False) -> Path | pd.DataFrame:
        """The data file's path or, with ``as_frame``, its table as pandas reads it."""
        if not as_frame:
            return self.path
        import pandas as pd

        return pd.read_csv(self.path)


#: The data sets, by the name the command line takes.
DATASETS: dict[str, Dataset] = {
    "anonymous-bank": Dataset(
        name="anonymous-bank",
        file="anonymous_bank_1999-08_week1.csv.gz",
        notes="anonymous_bank_1999-08_week1.md",
        preset="anonymous-bank",
        title="one week (1-7 August 1999, 11,715 calls) of the Technion SEE Center's "
        '"Anonymous Bank" call-center log',
    ),
}


def dataset(name: str) -> Dataset:
    """The data set called ``name``; :class:`DatasetError` naming the known ones if none is."""
    try:
        return DATASETS[name]
    except KeyError:
        raise DatasetError(unknown_name_message("dataset", name, DATASETS)) from None


def describe(name: str) -> str:
    """The notes of the data set ``name`` (source, licence, column meanings)."""
    return dataset(name).describe()


def anonymous_bank_week(as_frame: bool = False) -> Path | pd.DataFrame:
    """The first week of August 1999 of the "Anonymous Bank" call-center log (Technion SEE).

    One row per call, 11,715 calls from Sunday 1 to Saturday 7 August 1999: clock times on
    the row's date and durations in seconds; see ``describe("anonymous-bank")`` for the
    columns, the source and the licence (acknowledge the Technion SEE Center when you use it).
    Read it as queue tickets with ``read_log(path, make_layout(preset="anonymous-bank"))``.

    Parameters
    ----------
    as_frame : return the table (pandas DataFrame, one row per call, times as text) instead
        of the path.

    Returns
    -------
    The path of the gzip-compressed CSV file inside the package, or its DataFrame.
    """
    return DATASETS["anonymous-bank"].load(as_frame)


__all__ = [
    "DATASETS",
    "Dataset",
    "DatasetError",
    "anonymous_bank_week",
    "dataset",
    "describe",
]
