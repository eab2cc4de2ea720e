"""Shared test hygiene."""

import sys

import pytest


@pytest.fixture(autouse=True)
def _close_figures():
    """Close the figures a test leaves open: figure functions return their figure to the caller,
    and a worker that runs many tests would otherwise pass matplotlib's 20-figure warning (an
    error under filterwarnings = error) in whichever test happens to open the 21st."""
    yield
    if "matplotlib.pyplot" in sys.modules:
        sys.modules["matplotlib.pyplot"].close("all")
