"""Fixtures and markers shared by the fault tests.

The ``slow`` marker names the tests that take more than a few seconds (crash loop, load,
fuzz, 8 coordinators); they run in CI all the same. ``-m "not slow"`` skips them locally.
"""

from __future__ import annotations

import pytest


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "slow: a fault test that takes tens of seconds; runs in CI all the same")
