"""R9, R18, R23, R24, R25, R26: random sequences of every case and place command, bad orders
included, against the application and its read models (see ``case_life_machine``).

2,000 sequences here; ``bench/case_life.py --long`` runs 50,000.
"""

from __future__ import annotations

from hypothesis import HealthCheck, settings

from tests.integration.case_life_machine import CaseLife

SEQUENCES = 2000

TestCaseLife = CaseLife.TestCase
TestCaseLife.settings = settings(
    max_examples=SEQUENCES, stateful_step_count=25, deadline=None, derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
