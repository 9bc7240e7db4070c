"""Staffing: how many clerks at which windows in each slot, on which shifts, at least cost.

:mod:`.problem` states the question from a scenario's ``staffing`` section; :mod:`.load` and
:mod:`.requirements` turn demand into windows required per slot (queueing formulas, or
simulation); :mod:`.covering` finds the cheapest shifts that cover them (Pyomo + HiGHS);
:mod:`.methods` runs a staffing method end to end and verifies the plan by simulation
(:func:`staffing`); :mod:`.plan` holds the result.
"""
