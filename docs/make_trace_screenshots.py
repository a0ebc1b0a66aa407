"""Make the two screenshots of the step-through view used in docs/how-it-works.md.

    python docs/make_trace_screenshots.py

Needs selenium (`pip install -e ".[browser]"`) and a headless Chromium
(`apt-get install chromium chromium-driver`). It traces the tour's expression
L = tanh(a * b + c) * a, opens the view from disk, steps to a forward and a backward step
with the view's own Next button, and saves the view as PNG at each.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
from pathlib import Path

import numpy as np

from tinygrad_mlp import Tensor
from tinygrad_mlp.viz import trace

FIGURES = Path(__file__).resolve().parent / "figures"
FORWARD_STEP = 2  # Add: d = e + c
BACKWARD_STEP = 4  # the last rule, Mul (e = a * b): a's two shares now add up


def main() -> int:
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.common.by import By

    a = Tensor(0.5, requires_grad=True, dtype=np.float64, name="a")
    b = Tensor(-1.5, requires_grad=True, dtype=np.float64, name="b")
    c = Tensor(1.0, requires_grad=True, dtype=np.float64, name="c")
    with trace() as tr:
        e = a * b
        d = e + c
        f = d.tanh()
        L = f * a
        e.name, d.name, f.name, L.name = "e", "d", "f", "L"
        L.backward()
    work = Path(tempfile.mkdtemp(prefix="tgm-shots-"))
    page = tr.save_html(work / "trace.html")

    options = webdriver.ChromeOptions()
    options.binary_location = shutil.which("chromium") or "chromium"
    for flag in (
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--window-size=1180,1100",
        "--hide-scrollbars",
        f"--user-data-dir={work / 'profile'}",
    ):
        options.add_argument(flag)
    driver = webdriver.Chrome(
        service=Service(shutil.which("chromedriver") or "chromedriver"), options=options
    )
    try:
        driver.get(page.as_uri())
        view = driver.find_element(By.CSS_SELECTOR, ".tgm-view")
        nxt = view.find_element(By.CSS_SELECTOR, ".tgm-next")
        for _ in range(FORWARD_STEP - 1):
            nxt.click()
        view.screenshot(str(FIGURES / "trace_step_forward.png"))
        for _ in range(len(tr.forward) - FORWARD_STEP + BACKWARD_STEP):
            nxt.click()
        view.screenshot(str(FIGURES / "trace_step_backward.png"))
    finally:
        driver.quit()
        shutil.rmtree(work, ignore_errors=True)
    print(f"wrote {FIGURES / 'trace_step_forward.png'} and trace_step_backward.png")
    return 0


if __name__ == "__main__":
    sys.exit(main())
