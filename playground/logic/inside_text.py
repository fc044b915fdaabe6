"""The chain-rule explanation beside each step of the "Inside the network" trace.

Markdown with LaTeX, built from an operation and the shapes of its arrays.
Notation, for layer ``k`` of ``L`` layers and a batch of ``n`` rows:
``A0 = X`` is the batch, ``Mk = A(k-1) · Wk`` the output of WeightMultiply,
``Nk = Mk + Bk`` the output of BiasAdd, ``Ak = f(Nk)`` the output of the
activation, and ``P = AL`` the prediction that the loss compares with the
targets ``Y`` (for two classes ``P`` is a logit, and the loss applies the
sigmoid itself).
"""

from __future__ import annotations

from scratchnet import BiasAdd, Operation, WeightMultiply
from scratchnet.losses import Loss, MeanSquaredError, SigmoidCrossEntropy

ACTIVATION_TEXT = {
    "linear": (
        "leaves every entry as it is (the output layer uses it, so the prediction, or a two-class problem's "
        "logit, can take any value)",
        r"$f' = 1$, so the gradient passes through unchanged",
    ),
    "sigmoid": (
        r"squeezes every entry into $(0, 1)$ with $\sigma(x) = 1 / (1 + e^{-x})$, and keeps its output "
        "because the slope is computed from it",
        r"$\sigma'(N) = \sigma(N)\,(1 - \sigma(N))$, read off the stored output; it is at most 0.25, "
        "so each sigmoid layer shrinks the gradient",
    ),
    "tanh": (
        r"maps every entry into $(-1, 1)$ with $\tanh$, and keeps its output for the backward pass",
        r"$\tanh'(N) = 1 - \tanh^2(N)$, computed from the stored output",
    ),
    "relu": (
        r"keeps the positive entries and sets the others to 0: $\max(0, N)$",
        r"$f'$ is 1 where $N > 0$ and 0 elsewhere: no gradient flows through a unit that was off for that row",
    ),
    "leaky_relu": (
        r"keeps the positive entries and multiplies the others by a small $\alpha$",
        r"$f'$ is 1 where $N > 0$ and $\alpha$ elsewhere: a unit that was off still passes a little gradient",
    ),
}
GENERIC_ACTIVATION = ("applies its function to every entry on its own", "$f'$ is the function's own slope")


def layer_names(k: int) -> dict[str, str]:
    """Plain names of layer ``k``'s arrays: input, the two intermediate results, output, parameters."""
    return {"A_in": "X" if k == 1 else f"A{k - 1}", "M": f"M{k}", "N": f"N{k}", "A": f"A{k}",
            "W": f"W{k}", "B": f"B{k}"}


def _tex(name: str) -> str:
    """``"W1"`` -> ``"W_{1}"``; ``"X"`` stays ``"X"``."""
    return f"{name[0]}_{{{name[1:]}}}" if len(name) > 1 else name


def _d(name: str) -> str:
    """LaTeX of dL/d``name``."""
    return r"\frac{\partial L}{\partial " + _tex(name) + "}"


def _shape(shape: tuple[int, ...] | None) -> str:
    """``(8, 13)`` -> ``"(8 × 13)"``."""
    return "(" + " × ".join(str(n) for n in shape) + ")" if shape else "(one number)"


def forward_text(
    k: int,
    op: Operation,
    in_shape: tuple[int, ...],
    param_shape: tuple[int, ...] | None,
    out_shape: tuple[int, ...],
) -> str:
    """Markdown for the forward step of ``op`` in layer ``k`` (input, parameter and output shapes given)."""
    n = {key: _tex(v) for key, v in layer_names(k).items()}
    rows = in_shape[0]
    if isinstance(op, WeightMultiply):
        source = "the batch $X$" if k == 1 else f"${n['A_in']}$, the output of layer {k - 1}"
        return (
            f"Layer {k} starts by mixing its input with its weights: ${n['M']} = {n['A_in']}\\,{n['W']}$. "
            f"Each of the {rows} rows of {source} becomes, for every column of ${n['W']}$, one weighted sum; "
            f"a product of {_shape(in_shape)} by {_shape(param_shape)} gives {_shape(out_shape)}. "
            "The operation keeps both factors, because on the way back each one is needed to find the "
            "gradient of the other."
        )
    if isinstance(op, BiasAdd):
        return (
            f"${n['N']} = {n['M']} + {n['B']}$: the one bias row ${n['B']}$ {_shape(param_shape)} is added to "
            f"each of the {rows} rows, so the shape stays {_shape(out_shape)}. A sum has slope 1, so nothing "
            "has to be remembered for the backward pass."
        )
    what = ACTIVATION_TEXT.get(getattr(op, "name", ""), GENERIC_ACTIVATION)[0]
    return (
        f"${n['A']} = f({n['N']})$ with $f$ = {type(op).__name__}: it {what}. It acts on each entry on its own, "
        f"so {_shape(in_shape)} in gives {_shape(out_shape)} out."
    )


LOSS_NAMES = {
    "MeanSquaredError": "mean squared error",
    "SigmoidCrossEntropy": "sigmoid cross-entropy (log loss) of the logit",
}
CHAIN_RULE = (
    "From here on, every step applies the chain rule once: it takes the gradient it receives, "
    "multiplies it by its own local derivative and hands the result one operation back."
)


def loss_name(loss: Loss) -> str:
    """The loss in words, e.g. "mean squared error"; its class name for a loss without one."""
    return LOSS_NAMES.get(type(loss).__name__, type(loss).__name__)


def loss_text(loss: Loss, n_layers: int, shape: tuple[int, ...], value: float) -> str:
    """Markdown for the loss step: the loss value and the gradient that starts the backward pass.

    Parameters
    ----------
    loss : Loss
        The network's loss: mean squared error and the sigmoid cross-entropy of a logit have their own
        explanation, any other loss a general one.
    n_layers : int
        Layers of the network: the prediction is ``A`` of the last one.
    shape : tuple of int
        The shape of the prediction ``P`` (and of the targets), ``(n, 1)``.
    value : float
        The loss of this batch.
    """
    if isinstance(loss, SigmoidCrossEntropy):
        return _cross_entropy_text(n_layers, shape, value)
    if isinstance(loss, MeanSquaredError):
        return (
            f"The loss compares the prediction $P = A_{{{n_layers}}}$ with the targets $Y$, both {_shape(shape)}: "
            rf"$L = \frac{{1}}{{n}}\sum_i (P_i - Y_i)^2 = {value:.5g}$, one number for the whole batch. "
            r"The backward pass starts from its derivative, $\frac{\partial L}{\partial P} = \frac{2}{n}(P - Y)$: "
            f"one entry per prediction, so it has $P$'s shape {_shape(shape)}. " + CHAIN_RULE
        )
    return (
        f"The loss {type(loss).__name__} turns $P$ and $Y$ into one number, {value:.5g}; its derivative "
        rf"$\frac{{\partial L}}{{\partial P}}$ has $P$'s shape {_shape(shape)} and starts the backward pass. "
        + CHAIN_RULE
    )


def _cross_entropy_text(n_layers: int, shape: tuple[int, ...], value: float) -> str:
    """The loss step of a two-class network: the sigmoid cross-entropy of its logit and its gradient."""
    return (
        f"The network's one linear output $P = A_{{{n_layers}}}$ {_shape(shape)} is a logit: it gives class 1 "
        r"the probability $\sigma(P) = 1 / (1 + e^{-P})$ and class 0 the rest. The sigmoid cross-entropy (log "
        "loss) compares it with the classes $Y$, 0 or 1, of the same shape: it averages minus the logarithm of "
        "the probability given to the right class, "
        r"$L = \frac{1}{n}\sum_i \left[-Y_i \log \sigma(P_i) - (1 - Y_i) \log(1 - \sigma(P_i))\right]"
        f" = {value:.5g}$, one number for the whole batch. The loss applies the sigmoid itself, on the logit: "
        r"it computes each term as $\max(P_i, 0) - Y_i P_i + \log(1 + e^{-|P_i|})$, the same number, so no "
        "exponential overflows however large the logit grows. The backward pass starts from its derivative; "
        r"the sigmoid's slope $\sigma(1 - \sigma)$ cancels the logarithm's $1 / \sigma$ (for class 0, "
        r"$1 / (1 - \sigma)$), which leaves "
        r"$\frac{\partial L}{\partial P} = \frac{1}{n}(\sigma(P) - Y)$: how far each probability "
        f"misses its class, divided by the n = {shape[0]} rows, with $P$'s shape {_shape(shape)}. " + CHAIN_RULE
    )


def backward_text(
    k: int,
    op: Operation,
    out_grad_shape: tuple[int, ...],
    in_grad_shape: tuple[int, ...],
    param_grad_shape: tuple[int, ...] | None = None,
) -> str:
    """Markdown for the backward step of ``op`` in layer ``k``: what it receives, sends back and keeps."""
    if isinstance(op, WeightMultiply):
        return _weight_backward_text(k, out_grad_shape, in_grad_shape, param_grad_shape)
    names = layer_names(k)
    n = {key: _tex(v) for key, v in names.items()}
    if isinstance(op, BiasAdd):
        return (
            f"It receives ${_d(names['N'])}$ {_shape(out_grad_shape)}. As ${n['N']} = {n['M']} + {n['B']}$ has "
            f"slope 1 in ${n['M']}$, the gradient goes back as it came: ${_d(names['M'])} = {_d(names['N'])}$, "
            f"{_shape(in_grad_shape)}. The same row ${n['B']}$ was added to every row, so its gradient adds up "
            f"the rows: ${_d(names['B'])} = \\sum_{{\\text{{rows}}}} {_d(names['N'])}$, {_shape(param_grad_shape)}, "
            f"the shape of ${n['B']}$."
        )
    slope = ACTIVATION_TEXT.get(getattr(op, "name", ""), GENERIC_ACTIVATION)[1]
    return (
        f"It receives ${_d(names['A'])}$ {_shape(out_grad_shape)}. For a function applied entry by entry, the "
        f"chain rule is an entry-by-entry product with the local slope: ${_d(names['N'])} = {_d(names['A'])} "
        f"\\odot f'({n['N']})$, where {slope}. Such a product keeps the shape, so the result is "
        f"{_shape(in_grad_shape)}, the shape of the input ${n['N']}$."
    )


def _weight_backward_text(
    k: int, out_grad_shape: tuple[int, ...], in_grad_shape: tuple[int, ...], param_grad_shape: tuple[int, ...] | None
) -> str:
    """The backward text of layer ``k``'s WeightMultiply: one gradient to the input, one to the weights."""
    names = layer_names(k)
    a_in, w = _tex(names["A_in"]), _tex(names["W"])
    rows, d_out = out_grad_shape
    d_in = in_grad_shape[1]
    after = (
        f"This is the gradient that layer {k - 1}'s activation receives next."
        if k > 1
        else "In layer 1 this is the gradient with respect to the data, which nothing uses: the pass ends here."
    )
    return (
        f"It receives ${_d(names['M'])}$ {_shape(out_grad_shape)}. Through a product, the chain rule sends "
        "the gradient back by multiplying with the other factor, transposed. "
        f"To the input: ${_d(names['A_in'])} = {_d(names['M'])}\\,{w}^\\top$, "
        f"{_shape((rows, d_out))} by {_shape((d_out, d_in))} gives {_shape(in_grad_shape)}, the input's shape. "
        f"{after} To the weights: ${_d(names['W'])} = {a_in}^\\top {_d(names['M'])}$, "
        f"{_shape((d_in, rows))} by {_shape((rows, d_out))} gives {_shape(param_grad_shape)}, the shape of "
        f"${w}$; the product adds up what each of the {rows} rows contributes."
    )
