import numpy as np

from labs import cases


def sgd(lyr, opt, W_grad, B_grad, solver="sgd", learning_rate=0.01, iter=1):
    if solver not in ("sgd", "momentum", "adagrad", "rmsprop", "adam"):
        raise ValueError(solver)
    lyr.wegt = lyr.wegt - learning_rate * W_grad
    lyr.bias = lyr.bias - learning_rate * B_grad


def test_optimizer_case_is_deterministic_and_returns_layer_and_state():
    a, intact = cases.optimizer_case(
        sgd, "sgd", n_out=3, n_in=2, seed=1, steps=[(0.1, 1), (0.2, 2)]
    )
    b, _ = cases.optimizer_case(sgd, "sgd", n_out=3, n_in=2, seed=1, steps=[(0.1, 1), (0.2, 2)])
    steps = {f"sgd step {k}: {g}" for k in (1, 2) for g in ("W_grad", "B_grad")}
    assert set(a) == {"wegt", "bias", *cases.STATE_NAMES} | steps  # the gradients after the call
    assert {c.label for c in intact} == steps
    assert a["wegt"].shape == (3, 2) and a["B_vt"].shape == (3,)
    assert all(np.array_equal(a[k], b[k]) for k in a)
    assert len(intact) == 4 and all(c.passed for c in intact)
    assert (a["W_vt"] >= 0).all()  # second moments start non-negative


def test_optimizer_case_catches_gradients_modified_in_place():
    def clobber(lyr, opt, W_grad, B_grad, solver, learning_rate, iter):
        W_grad **= 2
        lyr.wegt = lyr.wegt - W_grad

    _, intact = cases.optimizer_case(
        clobber, "adagrad", n_out=2, n_in=2, seed=0, steps=[(0.1, 1)], label="case 1"
    )
    failed = [c.label for c in intact if not c.passed]
    assert failed == ["case 1 adagrad step 1: W_grad"]
    # the modified gradient is a result too: a grader outside the kernel compares it
    got, _ = cases.optimizer_case(
        clobber, "adagrad", n_out=2, n_in=2, seed=0, steps=[(0.1, 1)], label="case 1"
    )
    ref, _ = cases.optimizer_case(sgd, "adagrad", n_out=2, n_in=2, seed=0, steps=[(0.1, 1)])
    assert "case 1 wegt" in got and "case 1 adagrad step 1: W_grad" in got
    np.testing.assert_array_equal(
        got["case 1 adagrad step 1: W_grad"], ref["adagrad step 1: W_grad"] ** 2
    )


def test_seed_lab_case_reports_exceptions_per_solver_and_goes_on():
    def only_sgd(lyr, opt, W_grad, B_grad, solver, learning_rate, iter):
        if solver == "momentum":
            raise NotImplementedError()
        if solver == "adagrad":
            raise KeyError("W_dt")
        sgd(lyr, opt, W_grad, B_grad, solver, learning_rate, iter)

    got, raised = cases.seed_lab_case(only_sgd, ["sgd", "momentum", "adagrad", "rmsprop"])
    # the university lab's printed SGD numbers
    np.testing.assert_allclose(got["sgd"], [7.67789007, 8.16882972, 10.34203348, -3.22934657])
    assert set(got) == {"sgd", "rmsprop"}
    assert "not implemented yet" in raised["momentum"] and "'momentum' branch" in raised["momentum"]
    assert raised["adagrad"] == "raised KeyError: 'W_dt'"
