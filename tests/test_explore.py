"""labs.explore: Lab 2's valley without a kernel, and the arithmetic of momentum's rate."""

import numpy as np
import pytest
from conftest import CHROMIUM_ARGS, COURSE, chromium
from nbconvert import HTMLExporter
from nbformat.v4 import new_code_cell, new_notebook

from autograder import mistakes, notebooks
from labs import explore
from labs.nn import myDenseLayer, myOptParam

LAB2 = "lab2_optimizers"
H = (0.1, 2.0)


def _students_momentum(learning_rate, n_steps=30):
    """The trajectory of the lab's momentum branch (the solution's my_optimizer)."""
    ns = {"np": np}
    exec(mistakes.solution_code(LAB2, COURSE)["my_optimizer"], ns)
    lyr, opt = myDenseLayer(1, 2), myOptParam(1, 2)
    lyr.wegt = np.array([[-7.0, 2.0]])
    path = [lyr.wegt[0].copy()]
    for t in range(1, n_steps + 1):
        g = np.array([[lyr.wegt[0, 0] / 10, 2 * lyr.wegt[0, 1]]])
        ns["my_optimizer"](lyr, opt, g, np.zeros(1), "momentum", learning_rate, t)
        path.append(lyr.wegt[0].copy())
    return np.array(path)


def test_the_explorer_runs_the_labs_momentum_rule():
    paths = explore.momentum_paths(H, [0.1, 0.3], [0.9], (-7.0, 2.0), 30)
    np.testing.assert_allclose(paths[0, 0], _students_momentum(0.1), rtol=1e-12)
    np.testing.assert_allclose(paths[1, 0], _students_momentum(0.3), rtol=1e-12)


def test_the_rate_is_the_slowest_directions_and_polyaks_beta_is_best():
    lr, beta, best = explore.best_momentum(H)
    assert explore.rate(H, lr, beta) == pytest.approx(best)
    assert best == pytest.approx((np.sqrt(20) - 1) / (np.sqrt(20) + 1))
    assert explore.rate(H, 2 / 2.1, 0.0) == pytest.approx(19 / 21)  # gradient descent
    grid = explore.rate(H, np.linspace(0.01, 3, 400)[:, None], np.linspace(0, 0.95, 200)[None])
    assert grid.min() >= best - 1e-9
    # the measured contraction of a long path matches the computed rate
    path = explore.momentum_paths(H, [lr], [beta], (-7.0, 2.0), 400)[0, 0]
    err = np.linalg.norm(path, axis=1)
    assert (err[400] / err[300]) ** (1 / 100) == pytest.approx(best, rel=0.02)


@pytest.mark.kernel
@pytest.mark.browser
def test_moving_a_slider_moves_the_path_in_a_static_html_export(tmp_path):
    """The figure as a student's notebook shows it, exported to static HTML with nbconvert
    and opened in headless Chromium with every network request refused: the sliders change
    the drawn path and the readout, and the readout agrees with the lab's printed SGD figure."""
    from playwright.sync_api import sync_playwright

    nb = new_notebook(cells=[new_code_cell("from labs import explore\nexplore.valley()")])
    notebooks.execute(nb, COURSE.source_path(LAB2).parent)
    page_file = tmp_path / "valley.html"
    page_file.write_text(HTMLExporter().from_notebook_node(nb)[0])
    requests = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium(), args=CHROMIUM_ARGS)
        page = browser.new_page()
        page.route("http*://**", lambda route: (requests.append(route.request.url), route.abort()))
        page.goto(page_file.as_uri())
        points = page.locator(".valley-explorer polyline").get_attribute("points")
        readout = page.locator(".valley-explorer .readout").inner_text()
        assert "learning rate 0.1, β = 0.9" in readout and "f = 0.0479" in readout
        assert len(points.split()) == 31

        def choose(name, value):
            page.evaluate(
                """([name, value]) => {
                    const s = document.querySelector(`.valley-explorer input[name=${name}]`);
                    const values = JSON.parse(document.querySelector(
                        ".valley-explorer script[type='application/json']").textContent);
                    const grid = name === "lr" ? values.lrs : values.betas;
                    s.value = grid.indexOf(value);
                    s.dispatchEvent(new Event("input"));
                }""",
                [name, value],
            )

        choose("beta", 0.0)
        choose("lr", 0.95)
        moved = page.locator(".valley-explorer polyline").get_attribute("points")
        readout = page.locator(".valley-explorer .readout").inner_text()
        assert moved != points and "f = 0.0133" in readout  # the SGD path of the lab
        choose("lr", 1.5)
        assert "diverged" in page.locator(".valley-explorer .readout").inner_text()
        browser.close()
    assert requests == [] or all("mathjax" in u.lower() or "require" in u.lower() for u in requests)
