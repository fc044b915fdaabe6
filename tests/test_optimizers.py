import numpy as np
import pytest

from scratchnet import SGD, Adam, Dense, NeuralNetwork, SGDMomentum, Trainer, get_optimizer


def one_param_net(value, grad):
    """A stand-in network with one parameter and a fixed gradient, as flat vectors."""

    class Net:
        def flat(self):
            return value.reshape(-1), grad.reshape(-1)

    return Net()


def run_steps(optim, grads, start=1.0):
    param = np.array([[start]])
    grad = np.zeros((1, 1))
    optim.net = one_param_net(param, grad)
    for g in grads:
        grad[...] = g
        optim.step()
    return float(param[0, 0])


def test_sgd_step():
    assert run_steps(SGD(lr=0.1), [2.0, 1.0]) == pytest.approx(1.0 - 0.2 - 0.1)


def test_sgd_weight_decay_adds_l2_gradient():
    # grad + 0.5 * param: 2 + 0.5 = 2.5, param 1 - 0.25 = 0.75
    assert run_steps(SGD(lr=0.1, weight_decay=0.5), [2.0]) == pytest.approx(0.75)


def test_momentum_matches_hand_computation():
    v1 = 0.1 * 2.0
    v2 = 0.9 * v1 + 0.1 * 1.0
    assert run_steps(SGDMomentum(lr=0.1, momentum=0.9), [2.0, 1.0]) == pytest.approx(1.0 - v1 - v2)


def test_adam_matches_hand_computation():
    b1, b2, lr, eps = 0.9, 0.999, 0.01, 1e-8
    m = v = 0.0
    p = 1.0
    for t, g in enumerate([2.0, -1.0, 0.5], start=1):
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g * g
        p -= lr * (m / (1 - b1**t)) / (np.sqrt(v / (1 - b2**t)) + eps)
    assert run_steps(Adam(lr=lr), [2.0, -1.0, 0.5]) == pytest.approx(p)


def test_state_dict_round_trip_continues_identically():
    a = Adam(lr=0.05)
    run_steps(a, [1.0, 2.0])
    b = Adam(lr=0.05)
    b.load_state_dict(a.state_dict())
    pa = run_steps(a, [3.0], start=0.5)
    pb = run_steps(b, [3.0], start=0.5)
    assert pa == pb
    assert a.state_dict()["state"]["m"] is not a.state["m"]
    assert float(a.state["t"]) == 3


def test_restart_forgets_optimizer_state(book_split):
    net = NeuralNetwork([Dense(3, "tanh"), Dense(1)], "mse", seed=1)
    optim = SGDMomentum(lr=0.01)
    trainer = Trainer(net, optim)
    trainer.fit(book_split.X_train, book_split.y_train, epochs=1)
    assert optim.state
    trainer.restart(1)
    assert not optim.state


@pytest.mark.parametrize(
    "make, message",
    [
        (lambda: SGD(lr=-1), "lr must be > 0, got -1"),
        (lambda: SGD(lr=float("nan")), "lr must be > 0, got nan"),
        (lambda: SGD(decay_type="cosine"), "decay_type must be one of"),
        (lambda: SGD(decay_type="exponential", final_lr=0), "final_lr \\(exponential decay\\) must be > 0"),
        (lambda: SGD(weight_decay=-0.1), "weight_decay must be >= 0, got -0.1"),
        (lambda: SGDMomentum(momentum=1.0), "momentum must be in \\[0, 1\\), got 1.0"),
        (lambda: Adam(beta2=1.5), "beta2 must be in"),
        (lambda: get_optimizer("rmsprop"), "unknown optimizer 'rmsprop'"),
    ],
)
def test_optimizer_errors_quote_the_value(make, message):
    with pytest.raises(ValueError, match=message):
        make()


def test_step_without_network():
    with pytest.raises(RuntimeError, match="has no network"):
        SGD().step()


def test_registry_and_config():
    opt = get_optimizer({"name": "momentum", "lr": 0.1, "momentum": 0.5})
    assert isinstance(opt, SGDMomentum) and opt.momentum == 0.5
    assert get_optimizer(opt.get_config()).get_config() == opt.get_config()


def test_sgd_on_the_flat_vector_is_the_books_loop_bit_for_bit():
    """The docstring's claim: ``flat -= lr * flat_grad`` equals the book's per-parameter loop exactly."""
    rng = np.random.default_rng(3)
    X, y = rng.standard_normal((9, 4)), rng.standard_normal((9, 1))
    nets = [NeuralNetwork([Dense(5, "sigmoid"), Dense(3, "tanh"), Dense(1)], "mse", seed=6) for _ in range(2)]
    optim = SGD(lr=0.07)
    optim.net = nets[0]
    for _ in range(3):
        for net in nets:
            net.train_batch(X, y)
        optim.step()
        for param, param_grad in zip(nets[1].params(), nets[1].param_grads(), strict=True):
            param -= 0.07 * param_grad  # the book's SGD.step
    assert all(np.array_equal(a, b) for a, b in zip(nets[0].params(), nets[1].params(), strict=True))
    assert all(np.shares_memory(p, nets[0].flat()[0]) for p in nets[0].params())
