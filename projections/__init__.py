"""The read side: read models fed by the event log (see :mod:`projections.read_side`).

Everything a user reads — the waiting list (venteliste, R12), the vacancy board, a case's
history (R21) — is a projection of the events, stored in tables of the same database as the
events, rebuilt from the log on demand, and reconstructable as of any past moment.
"""
