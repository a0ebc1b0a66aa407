"""The step-through HTML view of a trace, opened in a real headless Chromium: every step is
clicked through, and the highlighted nodes and the numbers shown are checked against the
engine (gradients from `grad()` on an identical graph, and the `.grad` backward() left).

Needs the `chromium` and `chromium-driver` packages and selenium (in the `test` extra).
Without them the tests are skipped, except in CI (CI=true), where they fail.
"""

from __future__ import annotations

import ast
import os
import re
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from tinygrad_mlp import Tensor
from tinygrad_mlp.autograd import grad
from tinygrad_mlp.viz import trace

CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--window-size=1280,900",
]


def _missing() -> str | None:
    try:
        import selenium  # noqa: F401
    except ImportError:
        return 'selenium is not installed (pip install -e ".[test]")'
    for program in ("chromium", "chromedriver"):
        if shutil.which(program) is None:
            return f"{program} is not on the PATH (apt-get install chromium chromium-driver)"
    return None


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    reason = _missing()
    if reason is not None:
        if os.environ.get("CI") == "true":
            pytest.fail(f"the browser tests must run in CI: {reason}")
        pytest.skip(reason)
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    profile = tempfile.mkdtemp(prefix="tgm-chromium-")
    options = webdriver.ChromeOptions()
    options.binary_location = shutil.which("chromium")
    for flag in [*CHROMIUM_FLAGS, f"--user-data-dir={profile}"]:
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(shutil.which("chromedriver")), options=options)
    try:
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


# ----------------------------------------------------------------------------- reading the page
def css(root: Any, selector: str) -> list[Any]:
    from selenium.webdriver.common.by import By

    return root.find_elements(By.CSS_SELECTOR, selector)


def title_of(view: Any, node_id: str) -> str:
    """The first line of the drawn node with this id (a tensor's label, an op's name)."""
    (span,) = css(view, f'.tgm-node[data-node="{node_id}"] tspan[data-role="title"]')
    return span.get_attribute("textContent").split(" (")[0]


def highlighted(view: Any, cls: str) -> list[str]:
    return sorted(title_of(view, g.get_attribute("data-node")) for g in css(view, f".{cls}"))


def number(text: str) -> np.ndarray:
    """A value as the view prints it: a number or a (nested) list of numbers."""
    return np.array(ast.literal_eval(re.sub(r"(\d)\.(?=[\],\s]|$)", r"\1.0", text.strip())))


def panel(view: Any) -> dict[str, Any]:
    """What the panel shows: g, what each input receives, each leaf's running .grad."""
    g = css(view, ".tgm-g .tgm-value")
    sent = {}
    for li in css(view, ".tgm-sent"):
        name = title_of(view, li.get_attribute("data-to"))
        sent[name] = number(css(li, ".tgm-value")[0].text)
    leaves = {}
    for row in css(view, ".tgm-leaf"):
        name = css(row, "td")[0].text
        value = css(row, ".tgm-value")[0].text
        leaves[name] = None if value == "-" else number(value)
    return {
        "g": number(g[0].text) if g else None,
        "sent": sent,
        "leaves": leaves,
        "text": css(view, ".tgm-body")[0].text,
    }


def open_view(browser: Any, tr: trace, path: Path) -> Any:
    tr.save_html(path)
    browser.get(path.resolve().as_uri())
    (view,) = css(browser, ".tgm-view")
    return view


def step(view: Any) -> int:
    return int(view.get_attribute("data-step"))


def click(view: Any, which: str) -> None:
    css(view, f".tgm-{which}")[0].click()


def assert_no_script_errors(browser: Any) -> None:
    errors = [e for e in browser.get_log("browser") if e["level"] == "SEVERE"]
    assert errors == []


# ----------------------------------------------------------------------------- a scalar graph
def expression(a: Tensor, b: Tensor, c: Tensor) -> dict[str, Tensor]:
    """L = tanh(a * b + c) * a, every intermediate named (a is used twice)."""
    e = a * b
    d = e + c
    f = d.tanh()
    L = f * a
    for name, t in (("e", e), ("d", d), ("f", f), ("L", L)):
        t.name = name
    return {"e": e, "d": d, "f": f, "L": L}


def leaves() -> tuple[Tensor, Tensor, Tensor]:
    return tuple(
        Tensor(v, requires_grad=True, dtype=np.float64, name=n)
        for v, n in ((0.5, "a"), (-1.5, "b"), (1.0, "c"))
    )


def test_stepping_through_a_scalar_graph_shows_the_engines_numbers(
    browser: Any, tmp_path: Path
) -> None:
    # the engine's own answers, on an identical graph built outside the trace
    ra, rb, rc = leaves()
    ref = expression(ra, rb, rc)
    ref_grads = dict(zip("efd", grad(ref["L"], [ref["e"], ref["f"], ref["d"]])))
    dL = {k: float(v.item()) for k, v in ref_grads.items()}
    dL["L"] = 1.0
    a, b, c = leaves()
    with trace() as tr:
        t = expression(a, b, c)
        t["L"].backward()
    view = open_view(browser, tr, tmp_path / "trace.html")

    forward = [  # (op, output, inputs) in the order written
        ("Mul", "e", ["a", "b"]),
        ("Add", "d", ["c", "e"]),
        ("Tanh", "f", ["d"]),
        ("Mul", "L", ["a", "f"]),
    ]
    for k, (op, out, ins) in enumerate(forward):
        assert step(view) == k
        assert highlighted(view, "tgm-current") == [op]
        assert highlighted(view, "tgm-out") == [out]
        assert highlighted(view, "tgm-in") == ins
        shown = panel(view)
        assert float(number(css(view, ".tgm-body .tgm-value")[0].text)) == pytest.approx(
            t[out].item(), rel=1e-5
        )
        assert shown["leaves"] == {} and shown["g"] is None
        click(view, "next")

    # backward: which node runs, the gradient that reached it, what each input gets
    f_val, av, bv = t["f"].item(), 0.5, -1.5
    backward = [
        ("Mul", "L", {"f": dL["L"] * av, "a": dL["L"] * f_val}),
        ("Tanh", "f", {"d": dL["d"]}),
        ("Add", "d", {"e": dL["d"], "c": dL["d"]}),
        ("Mul", "e", {"a": dL["e"] * bv, "b": dL["e"] * av}),
    ]
    running: dict[str, float] = {}
    for k, (op, out, sends) in enumerate(backward):
        assert step(view) == len(forward) + k
        assert highlighted(view, "tgm-current") == [op]
        assert highlighted(view, "tgm-out") == [out]
        assert highlighted(view, "tgm-in") == sorted(sends)
        shown = panel(view)
        assert float(shown["g"]) == pytest.approx(dL[out], rel=1e-5)
        assert shown["sent"].keys() == sends.keys()
        for name, value in sends.items():
            assert float(shown["sent"][name]) == pytest.approx(value, rel=1e-5)
            if name in "abc":
                running[name] = running.get(name, 0.0) + value
        expected = {n: running.get(n) for n in "abc"}
        for name, value in shown["leaves"].items():
            if expected[name] is None:
                assert value is None, name
            else:
                assert float(value) == pytest.approx(expected[name], rel=1e-5), name
        # the drawing writes each tensor's gradient under it once it is known
        (line,) = css(view, '.tgm-node.tgm-out tspan[data-role="grad"]')
        assert float(line.get_attribute("textContent").split()[1]) == pytest.approx(
            dL[out], rel=1e-3
        )
        if k < len(backward) - 1:
            click(view, "next")
    assert css(view, ".tgm-next")[0].get_attribute("disabled") is not None
    # after the last step each leaf shows exactly what backward() left in its .grad
    final = panel(view)["leaves"]
    for leaf in (a, b, c):
        assert float(final[leaf.name]) == pytest.approx(leaf.grad.item(), rel=1e-5)
    drawn = css(view, '.tgm-node[data-kind="leaf"]')
    assert len(drawn) == 3
    for node in drawn:
        name = css(node, 'tspan[data-role="title"]')[0].get_attribute("textContent")
        text = css(node, 'tspan[data-role="grad"]')[0].get_attribute("textContent")
        leaf = {"a": a, "b": b, "c": c}[name]
        assert float(text.split()[1]) == pytest.approx(leaf.grad.item(), rel=1e-3)
    # the rule is shown in the tensors' own names, and the first step starts at dL/dL = 1
    assert "e = a * b; da = g * b, db = g * a" in panel(view)["text"]
    click(view, "prev")
    assert step(view) == len(forward) + 2
    for _ in range(2):
        click(view, "prev")
    text = panel(view)["text"]
    assert "dL/dL = 1" in text and "L = f * a; df = g * a, da = g * f" in text
    assert_no_script_errors(browser)


def test_arrow_keys_step_and_only_the_focused_view_moves(browser: Any, tmp_path: Path) -> None:
    from selenium.webdriver.common.keys import Keys

    a, b, c = leaves()
    with trace() as one:
        expression(a, b, c)["L"].backward()
    x = Tensor([1.0, 2.0], requires_grad=True, name="x")
    with trace() as two:
        (x * x).sum().backward()
    page = tmp_path / "two.html"
    page.write_text(
        "<!DOCTYPE html><html><head><meta charset='utf-8'></head><body>"
        + one._repr_html_()
        + two._repr_html_()
        + "</body></html>"
    )
    browser.get(page.resolve().as_uri())
    first, second = css(browser, ".tgm-view")
    assert first.get_attribute("id") != second.get_attribute("id")
    click(second, "next")
    assert (step(first), step(second)) == (0, 1)
    assert highlighted(first, "tgm-current") == ["Mul"]
    assert highlighted(second, "tgm-current") == ["Sum"]
    first.click()
    first.send_keys(Keys.ARROW_RIGHT)
    first.send_keys(Keys.ARROW_RIGHT)
    assert (step(first), step(second)) == (2, 1)
    first.send_keys(Keys.ARROW_LEFT)
    assert step(first) == 1
    first.send_keys(Keys.END)
    assert step(first) == len(one.forward) + len(one.backward) - 1
    first.send_keys(Keys.HOME)
    assert step(first) == 0 and step(second) == 1
    assert_no_script_errors(browser)


def test_arrays_broadcasting_and_leaf_grads(browser: Any, tmp_path: Path) -> None:
    rng = np.random.default_rng(3)
    x = Tensor(rng.standard_normal((2, 3)), dtype=np.float64, name="x")
    W = Tensor(rng.standard_normal((3, 2)), requires_grad=True, dtype=np.float64, name="W")
    bias = Tensor(rng.standard_normal(2), requires_grad=True, dtype=np.float64, name="bias")
    with trace() as tr:
        h = x @ W + bias
        loss = h.tanh().sum()
        loss.backward()
    view = open_view(browser, tr, tmp_path / "arrays.html")
    for _ in range(len(tr.forward)):
        click(view, "next")
    seen = []
    while True:
        op = highlighted(view, "tgm-current")[0]
        seen.append(op)
        shown = panel(view)
        if op == "Add":  # bias was broadcast over the batch: its share is summed
            assert "summed from shape (2, 2)" in shown["text"]
            np.testing.assert_allclose(shown["sent"]["bias"], bias.grad.data, atol=1e-4)
        if op == "MatMul":
            np.testing.assert_allclose(shown["sent"]["W"], W.grad.data, atol=1e-4)
            assert "x" not in shown["sent"]  # a constant gets nothing
        if css(view, ".tgm-next")[0].get_attribute("disabled") is not None:
            break
        click(view, "next")
    assert seen == ["Sum", "Tanh", "Add", "MatMul"]
    final = panel(view)["leaves"]
    np.testing.assert_allclose(final["W"], W.grad.data, atol=1e-4)
    np.testing.assert_allclose(final["bias"], bias.grad.data, atol=1e-4)
    assert_no_script_errors(browser)


def test_the_page_is_self_contained_and_says_why_when_empty(browser: Any, tmp_path: Path) -> None:
    a, b, c = leaves()
    with trace() as tr:
        expression(a, b, c)["L"].backward()
    page = tr.save_html(tmp_path / "t.html").read_text()
    assert "<script src" not in page and "<link" not in page and "@import" not in page
    assert not re.search(r"(src|href)\s*=\s*[\"']?https?:", page)
    with trace() as empty:
        pass
    view = open_view(browser, empty, tmp_path / "empty.html")
    assert "Nothing was recorded" in css(view, ".tgm-warning")[0].text
    assert css(view, ".tgm-node") == []
    assert_no_script_errors(browser)


def test_a_second_derivative_pass_restarts_the_leaf_totals(browser: Any, tmp_path: Path) -> None:
    x = Tensor(1.3, requires_grad=True, dtype=np.float64, name="x")
    with trace() as tr:
        y = x * x * x
        (gx,) = grad(y, x, create_graph=True)
        gx.backward()
    view = open_view(browser, tr, tmp_path / "second.html")
    totals: dict[int, float] = {}
    for _ in range(len(tr.forward) + len(tr.backward) - 1):
        click(view, "next")
        if step(view) >= len(tr.forward):
            pass_index = tr.backward[step(view) - len(tr.forward)].pass_index
            value = panel(view)["leaves"]["x"]
            if value is not None:
                totals[pass_index] = float(value)
    assert totals[0] == pytest.approx(3 * 1.3**2, rel=1e-5)  # d(x^3)/dx, by grad()
    assert totals[1] == pytest.approx(x.grad.item(), rel=1e-5)  # d(3x^2)/dx = 6x, in .grad
    assert x.grad.item() == pytest.approx(6 * 1.3)
    assert_no_script_errors(browser)


def test_tensors_from_before_the_trace_and_a_stopped_recording(
    browser: Any, tmp_path: Path
) -> None:
    a = Tensor(0.3, requires_grad=True, dtype=np.float64, name="a")
    h = a * 2.0  # computed before the trace: shown, but its node is not watched
    with trace() as before:
        h.tanh().backward()
    view = open_view(browser, before, tmp_path / "before.html")
    assert {title_of(view, g.get_attribute("data-node")) for g in css(view, ".tgm-node")} == {
        "e1",
        "Tanh",
        "t1",
    }
    click(view, "next")
    assert float(panel(view)["sent"]["e1"]) == pytest.approx(1 - np.tanh(0.6) ** 2, rel=1e-5)
    with trace(limit=2) as stopped:
        y = a * 1.0
        for _ in range(4):
            y = y + 1.0
        y.backward()
    view = open_view(browser, stopped, tmp_path / "stopped.html")
    for _ in range(2):
        click(view, "next")
    assert "sent by steps the trace did not record" in panel(view)["text"]
    assert_no_script_errors(browser)


def test_a_graph_too_big_to_lay_out_is_left_out_with_a_note() -> None:
    x = Tensor(1.0, requires_grad=True, name="x")
    w = Tensor(0.5, requires_grad=True, name="w")
    with trace() as tr:
        y = x
        for _ in range(60):  # w feeds every Mul: its edges cross most rows
            y = (y * w).tanh()
        y.backward()
    page = tr._repr_html_()
    assert "<svg" not in page and "too many" in page
    steps = re.search(r'class="tgm-data">(.*?)</script>', page).group(1)
    assert steps.count('"kind": "forward"') == 120 and steps.count('"kind": "backward"') == 120
    with trace() as small:
        (x * w).tanh().backward()
    assert "<svg" in small._repr_html_()


def test_the_views_drawing_marks_parameters_leaves_constants_and_the_output() -> None:
    import xml.etree.ElementTree as ET

    w = Tensor([0.5, -1.0], requires_grad=True)
    x = Tensor([1.0, 2.0], requires_grad=True, name="x")
    with trace(params={"weight": w}) as tr:
        ((x * w).sum() * 3.0).backward()
    svg = re.search(r"<svg.*?</svg>", tr._repr_html_(), re.S).group(0)
    svg_ns = "{http://www.w3.org/2000/svg}"
    kinds = {}
    for g in ET.fromstring(svg).iter(svg_ns + "g"):
        if g.get("class") == "tgm-node":
            title = next(t for t in g.iter(svg_ns + "tspan") if t.get("data-role") == "title")
            kinds[title.text] = g.get("data-kind")
    assert kinds == {
        "weight (2,)": "param",
        "x (2,)": "leaf",
        "t1 (2,)": "tensor",
        "t2": "tensor",
        "t3": "output",
        "Mul": "op",
        "Sum": "op",
    }
