"""Calibration from queue logs: fit a scenario from real tickets and check it reproduces them.

::

    from wsim.calibrate import fit, validate_against_log

    result = fit("tickets.csv", preset="anonymous-bank", speed_bands=["10:00", "13:00"])
    result.to_yaml("scenario.yaml")
    validation = validate_against_log(result.scenario, result.log, replications=20)
    wsim.report.write_fit_report(result, "fit_report", validation)

Modules: :mod:`.layout` (column mappings and presets), :mod:`.logs` (reading and cleaning),
:mod:`.selection` (day type and opening hours), :mod:`.arrivals`, :mod:`.service`,
:mod:`.patience`, :mod:`.servers`, :mod:`.day_speeds`, :mod:`.capacity` (the fits),
:mod:`.likelihood` (maximum likelihood with rounding and censoring), :mod:`.fitting`
(``fit``), :mod:`.validate` and :mod:`.plots`. The HTML fit report is written by
:func:`wsim.report.write_fit_report`.
"""

from wsim.calibrate.fitting import FitResult, fit
from wsim.calibrate.layout import PRESETS, LogError, LogLayout, make_layout
from wsim.calibrate.logs import TicketLog, read_log
from wsim.calibrate.validate import Validation, validate_against_log

__all__ = [
    "PRESETS",
    "FitResult",
    "LogError",
    "LogLayout",
    "TicketLog",
    "Validation",
    "fit",
    "make_layout",
    "read_log",
    "validate_against_log",
]
