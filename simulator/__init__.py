"""The policy lab (issue 20): years of a municipality in minutes, to choose capacity and
policy by evidence.

A simulation runs the **real** service — the domain, the application's commands
(:class:`application.service.AllocationService`), the optimizer and the read models — in
virtual time (:class:`application.clock.ManualClock`), on a store of its own (SQLite in a
temporary file), with SimPy as the discrete-event loop. Nothing else imports it but the
pages (``api/pages/policy_lab.py``), the benchmark, and the demo's seed
(``application/seed.py``, when called: the demo's history is a simulation, :mod:`.demo`).

Pure parts (no I/O): :mod:`.profile` (the calibrated settings), :mod:`.scenario`,
:mod:`.draws`, :mod:`.measures`, :mod:`.stats`, :mod:`.theory`. The driver:
:mod:`.stage` (service, clock, loop), :mod:`.people`, :mod:`.complaints` (R21),
:mod:`.moves` (R28), :mod:`.officer`, :mod:`.world` (one run, checked by
:mod:`.invariants`), :mod:`.demo` (the demo municipality's history, recorded as steps),
:mod:`.compare` (scenarios × seeds), :mod:`.jobs` (runs in the background for the page),
``python -m simulator`` (the command line).
"""
