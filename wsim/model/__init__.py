"""The SimPy world of one replication.

:mod:`.calendar` (the days), :mod:`.arrivals` (demand by thinning), :mod:`.hall` (tickets,
queues and windows: the hot path), :mod:`.journey` (cases over channels, visits and
departments), :mod:`.backoffice` and :mod:`.timeline` (working time and outages),
:mod:`.states` and :mod:`.logs` (what a replication records), and :mod:`.replication`, which
puts them together: ``run_replication(scenario, seed, replication) -> HallLog``.
"""
