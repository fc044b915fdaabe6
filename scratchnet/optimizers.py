"""Optimizers: ``SGD``, ``SGDMomentum`` and ``Adam``, with the book's learning-rate decay.

Hyperparameters live in one place (the constructor); per-parameter state
(velocities, moments) is kept by the optimizer, keyed by the parameter's
position in ``net.params()``, and round-trips through ``state_dict``.
"""

from __future__ import annotations

from typing import Protocol

import numpy as np

from .registry import from_registry


class FlatParams(Protocol):
    """What an optimizer needs of a network: ``flat()``, its parameters and gradients as two flat vectors."""

    def flat(self) -> tuple[np.ndarray, np.ndarray]:
        """Return ``(parameters, gradients)``, each of shape ``(n_params,)``; updating the first updates the net."""
        ...

DECAY_TYPES = (None, "linear", "exponential")


def _positive(name: str, value: float) -> float:
    value = float(value)
    if not (np.isfinite(value) and value > 0):
        raise ValueError(f"{name} must be > 0, got {value}")
    return value


def _unit(name: str, value: float) -> float:
    value = float(value)
    if not 0.0 <= value < 1.0:
        raise ValueError(f"{name} must be in [0, 1), got {value}")
    return value


class Optimizer:
    """Base optimizer: the learning-rate schedule, L2 weight decay and the step loop.

    Parameters
    ----------
    lr : float
        Learning rate at the first epoch.
    final_lr : float
        Learning rate at the last epoch when ``decay_type`` is set.
    decay_type : None, "linear" or "exponential"
        The book's chapter-4 decay, spread over the epochs of a ``fit`` call.
    weight_decay : float
        L2 penalty: ``weight_decay * param`` is added to every gradient.
    """

    name = "optimizer"

    def __init__(
        self,
        lr: float = 0.01,
        final_lr: float = 0.0,
        decay_type: str | None = None,
        weight_decay: float = 0.0,
    ) -> None:
        self.lr = _positive("lr", lr)
        self.final_lr = float(final_lr)
        if decay_type not in DECAY_TYPES:
            raise ValueError(f"decay_type must be one of {DECAY_TYPES}, got {decay_type!r}")
        if decay_type == "exponential":
            _positive("final_lr (exponential decay)", final_lr)
        elif not self.final_lr >= 0:
            raise ValueError(f"final_lr must be >= 0, got {final_lr}")
        self.decay_type = decay_type
        weight_decay = float(weight_decay)
        if not (np.isfinite(weight_decay) and weight_decay >= 0):
            raise ValueError(f"weight_decay must be >= 0, got {weight_decay}")
        self.weight_decay = weight_decay
        self.net: FlatParams | None = None  # a NeuralNetwork, set by the Trainer
        self.max_epochs = 1
        self.current_lr = self.lr
        self.state: dict[str, np.ndarray] = {}

    # ----- schedule -----------------------------------------------------------
    def setup_schedule(self, max_epochs: int) -> None:
        """Spread the decay over ``max_epochs`` epochs (called by the Trainer)."""
        self.max_epochs = max(int(max_epochs), 1)
        self.set_epoch(0)

    def set_epoch(self, epoch: int) -> None:
        """Set ``current_lr`` for epoch ``epoch`` (0-based) of the schedule."""
        if self.decay_type is None or self.max_epochs < 2:
            self.current_lr = self.lr
            return
        frac = min(epoch, self.max_epochs - 1) / (self.max_epochs - 1)
        if self.decay_type == "linear":
            self.current_lr = self.lr - (self.lr - self.final_lr) * frac
        else:
            self.current_lr = self.lr * (self.final_lr / self.lr) ** frac

    # ----- updates ------------------------------------------------------------
    def step(self) -> None:
        """Update every parameter of ``self.net`` in place from its gradient.

        The update runs once over the network's flat parameter vector (see
        ``NeuralNetwork.flat``); every rule here is elementwise, so this is the
        same as updating W1, B1, W2, ... one by one.
        """
        if self.net is None:
            raise RuntimeError(f"{type(self).__name__} has no network; give it to a Trainer first")
        params, grads = self.net.flat()
        if self.weight_decay:
            grads = grads + self.weight_decay * params
        self._update_rule(params, grads)

    def _update_rule(self, params: np.ndarray, grads: np.ndarray) -> None:
        raise NotImplementedError

    def _slot(self, name: str, like: np.ndarray) -> np.ndarray:
        """Per-parameter state ``name`` (zeros at first), one entry per parameter."""
        slot = self.state.get(name)
        if slot is None or slot.shape != like.shape:
            slot = self.state[name] = np.zeros_like(like)
        return slot

    def reset_state(self) -> None:
        """Forget per-parameter state (velocities, moments)."""
        self.state = {}

    # ----- config and state ---------------------------------------------------
    def get_config(self) -> dict:
        """Return the constructor arguments, plus ``name`` for ``OPTIMIZERS``."""
        return {
            "name": self.name,
            "lr": self.lr,
            "final_lr": self.final_lr,
            "decay_type": self.decay_type,
            "weight_decay": self.weight_decay,
        }

    def state_dict(self) -> dict:
        """Hyperparameters and per-parameter state (arrays copied)."""
        return {
            "config": self.get_config(),
            "current_lr": self.current_lr,
            "state": {name: value.copy() for name, value in self.state.items()},
        }

    def load_state_dict(self, state: dict) -> None:
        """Restore what ``state_dict`` returned (hyperparameters are not changed)."""
        self.current_lr = float(state["current_lr"])
        self.state = {name: np.array(value) for name, value in state["state"].items()}

    def __repr__(self) -> str:
        """Return ``Name(lr=..., ...)`` from ``get_config``."""
        args = ", ".join(f"{k}={v!r}" for k, v in self.get_config().items() if k != "name")
        return f"{type(self).__name__}({args})"


class SGD(Optimizer):
    """Plain stochastic gradient descent: the book's ``param -= lr * grad``.

    The book's ``SGD.step`` updates the parameters one by one::

        for (param, param_grad) in zip(self.net.params(), self.net.param_grads()):
            param -= self.lr * param_grad

    Here ``NeuralNetwork`` keeps all its parameters in one flat vector and
    all their gradients in another (``NeuralNetwork.flat``): each layer's
    ``W`` and ``B`` are reshaped views into the first, and backward writes
    each gradient into its slice of the second. So the single vectorised
    line ``flat -= lr * flat_grad`` changes exactly the numbers the book's
    loop changes, W1, B1, W2, B2, ... each by ``lr`` times its own gradient,
    with the same floating-point result, only all at once. (``lr * flat_grad``
    is written into a scratch array kept between steps, so a step makes no
    new array.) ``lr`` is ``current_lr``: the book's learning rate, or the
    decayed one when ``decay_type`` is set.
    """

    name = "sgd"

    def _update_rule(self, params: np.ndarray, grads: np.ndarray) -> None:
        step = np.multiply(grads, self.current_lr, out=self._slot("scratch", params))
        params -= step


class SGDMomentum(Optimizer):
    """SGD with momentum: ``v = momentum * v + lr * grad; param -= v``."""

    name = "momentum"

    def __init__(self, lr: float = 0.01, momentum: float = 0.9, **kwargs) -> None:
        super().__init__(lr, **kwargs)
        self.momentum = _unit("momentum", momentum)

    def _update_rule(self, params: np.ndarray, grads: np.ndarray) -> None:
        v = self._slot("velocity", params)
        v *= self.momentum
        v += self.current_lr * grads
        params -= v

    def get_config(self) -> dict:
        """Return the base config plus ``momentum``."""
        return {**super().get_config(), "momentum": self.momentum}


class Adam(Optimizer):
    """Adam: bias-corrected running means of the gradient and its square."""

    name = "adam"

    def __init__(
        self,
        lr: float = 0.001,
        beta1: float = 0.9,
        beta2: float = 0.999,
        eps: float = 1e-8,
        **kwargs,
    ) -> None:
        super().__init__(lr, **kwargs)
        self.beta1 = _unit("beta1", beta1)
        self.beta2 = _unit("beta2", beta2)
        self.eps = _positive("eps", eps)

    def _update_rule(self, params: np.ndarray, grads: np.ndarray) -> None:
        m, v = self._slot("m", params), self._slot("v", params)
        t = float(self.state.get("t", 0.0)) + 1.0
        self.state["t"] = np.array(t)
        m *= self.beta1
        m += (1.0 - self.beta1) * grads
        v *= self.beta2
        v += (1.0 - self.beta2) * grads * grads
        m_hat = m / (1.0 - self.beta1**t)
        v_hat = v / (1.0 - self.beta2**t)
        params -= self.current_lr * m_hat / (np.sqrt(v_hat) + self.eps)

    def get_config(self) -> dict:
        """Return the base config plus ``beta1``, ``beta2`` and ``eps``."""
        return {**super().get_config(), "beta1": self.beta1, "beta2": self.beta2, "eps": self.eps}


OPTIMIZERS: dict[str, type[Optimizer]] = {"sgd": SGD, "momentum": SGDMomentum, "adam": Adam}


def get_optimizer(spec: str | dict | Optimizer, **kwargs) -> Optimizer:
    """Make an optimizer from a name or config dict (e.g. ``{"name": "adam", "lr": 0.01}``)."""
    return from_registry("optimizer", OPTIMIZERS, spec, Optimizer, **kwargs)
