"""Test settings shared by every test module: the Hypothesis profiles.

``ci`` (the default) keeps the property tests to a few hundred examples in all, so that the
suite stays fast; ``thorough`` runs thousands, for a local search before a release::

    HYPOTHESIS_PROFILE=thorough python -m pytest tests/test_properties.py
    python -m pytest tests/test_properties.py --hypothesis-profile=thorough
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

settings.register_profile(
    "ci",
    max_examples=60,
    deadline=None,  # a shared CI machine's timing says nothing; hangs are bounded by limits
    derandomize=True,  # the same examples on every run: never flaky
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
settings.register_profile(
    "thorough",
    max_examples=3000,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))
