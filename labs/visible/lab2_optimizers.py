"""Visible tests of Lab 2 (optimizers): ``visible_tests.<test>(my_optimizer)``."""

from labs import cases
from labs.checks import Check, visible_test

#: What the university lab this one is based on printed after each solver:
#: ``[wegt[0, 0], wegt[0, 1], wegt[0, 2], bias[0]]``.
SEED_LAB_EXPECTED = {
    "sgd": [7.67789007, 8.16882972, 10.34203348, -3.22934657],
    "momentum": [14.46528172, 15.04341688, 19.30016537, -4.77070266],
    "adagrad": [22.50872929, 22.74302212, 28.47667875, -7.62607443],
    "rmsprop": [30.69802889, 30.60433129, 37.72651766, -10.62235939],
    "adam": [29.41774022, 19.27573813, 23.68071186, 1.52919472],
}


@visible_test(
    "The university lab's test (seed 101, learning_rate=10, iter=3, the solvers in turn)",
    rtol=1e-7,
    atol=1e-8,
    expected=SEED_LAB_EXPECTED,
)
def seed_lab(my_optimizer):
    """The five solvers applied one after the other to the same random 2x3 layer and state;
    after each, the first row of the weights and the first bias are compared with what the
    university lab printed."""
    got, raised = cases.seed_lab_case(my_optimizer, list(SEED_LAB_EXPECTED))
    return got, [Check(solver, False, why) for solver, why in raised.items()]


def _three_steps(my_optimizer, solver: str, seed: int, random_state: bool = True, **kw):
    return cases.optimizer_case(
        my_optimizer,
        solver,
        n_out=2,
        n_in=3,
        seed=seed,
        steps=[(0.1, 1), (0.1, 2), (0.1, 3)],
        random_state=random_state,
        **kw,
    )


#: The size of the gradients of the second case of the adaptive methods: small enough that
#: sqrt(v + epsilon) and sqrt(v) + epsilon differ (epsilon = 1e-8 against v of about 1e-10).
TINY = 1e-5


def _solver_test(solver: str, seed: int, start: str, random_state: bool = True, tiny=False):
    def test(my_optimizer):
        """The weights, the bias and every state array after three calls with new
        gradients, and that the gradients were not modified (for the adaptive methods also
        from a zero state with tiny gradients, where the place of epsilon matters)."""
        got, intact = _three_steps(my_optimizer, solver, seed, random_state)
        if tiny:
            g, i = _three_steps(
                my_optimizer, solver, seed + 10, False, grad_scale=TINY, label="tiny gradients:"
            )
            got.update(g)
            intact += i
        return got, intact

    test.__name__ = test.__qualname__ = solver
    also = f"; then gradients of size {TINY:g} from a zero state" if tiny else ""
    return visible_test(
        f"{solver}: three steps (iter = 1, 2, 3) from a random 2x3 layer and {start}{also}",
        rtol=1e-6,
        atol=1e-9,
        todo=f"the {solver!r} branch of my_optimizer",
    )(test)


momentum = _solver_test("momentum", 1, "a random state")
adagrad = _solver_test("adagrad", 2, "a random state", tiny=True)
rmsprop = _solver_test("rmsprop", 3, "a random state", tiny=True)
adam = _solver_test("adam", 4, "a zero state", random_state=False, tiny=True)
