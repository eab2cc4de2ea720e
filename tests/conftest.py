"""Shared test hygiene."""

import sys
from pathlib import Path

import pytest


@pytest.fixture(autouse=True)
def _close_figures():
    """Close the figures a test leaves open: figure functions return their figure to the caller,
    and a worker that runs many tests would otherwise pass matplotlib's 20-figure warning (an
    error under filterwarnings = error) in whichever test happens to open the 21st."""
    yield
    if "matplotlib.pyplot" in sys.modules:
        sys.modules["matplotlib.pyplot"].close("all")


@pytest.fixture
def fit_example():
    """``fit_example(name, observable)``: the least-squares fit of ``examples/NAME`` with the
    glass preset its metadata names, as ``etm fit`` starts it (for the MCMC tests)."""
    from etm import fit as fitting
    from etm.fit.request import glass_of

    def fit(name: str, observable: str):
        curves = fitting.read_curves(
            [Path(__file__).resolve().parents[1] / "examples" / name], observable
        )
        material, _ = glass_of(curves, observable)
        return fitting.fit(curves, observable, material=material, progress=False)

    return fit
