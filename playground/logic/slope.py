"""The slope of one weight for the playground's run: which weights there are, their names, the card's numbers."""

from __future__ import annotations

from playground.figures.slope import slope_figure
from scratchnet.slope import Slope, weight_slope

WEIGHT_ID = "w"  # a weight's id in the diagram's click data: "w:layer:row:col" (layer from 1)


def weight_id(layer: int, row: int, col: int) -> str:
    """The click id of weight ``W{layer}[row, col]`` (layer from 1, row and column from 0)."""
    return f"{WEIGHT_ID}:{layer}:{row}:{col}"


def parse_weight(choice: str) -> tuple[int, int, int]:
    """``"w:2:3:0"`` as ``(2, 3, 0)``; ValueError for anything else."""
    parts = str(choice).split(":")
    if len(parts) != 4 or parts[0] != WEIGHT_ID or not all(p.isdigit() for p in parts[1:]):
        raise ValueError(f"not a weight id: {choice!r}")
    return int(parts[1]), int(parts[2]), int(parts[3])


def weight_name(choice: str, input_names: list[str]) -> str:
    """``W2[4, 1]``, with where it connects: "W1[3, 2]: CRIM -> layer 1, neuron 3"."""
    layer, row, col = parse_weight(choice)
    source = input_names[row] if layer == 1 and row < len(input_names) else f"h{layer - 1}_{row + 1}"
    return f"W{layer}[{row + 1}, {col + 1}]: {source} -> layer {layer}, neuron {col + 1}"


def weight_choices(run) -> list[str]:
    """Every weight of the run's network, layer by layer."""
    sizes = [run.split.X_train.shape[1]] + [n for n, _ in run.config.layers]
    return [weight_id(k, i, j) for k in range(1, len(sizes)) for i in range(sizes[k - 1]) for j in range(sizes[k])]


def slope_card(run, choice: str) -> dict:
    """The card of one weight: ``slope`` (scratchnet.slope.Slope), ``figure``, ``name`` and ``text``.

    The batch is the first ``batch_size`` training rows; the step uses the run's learning rate.
    """
    layer, row, col = parse_weight(choice)
    batch = run.config.batch_size
    X, y = run.split.X_train[:batch], run.split.y_train[:batch]
    result: Slope = weight_slope(run.network, layer - 1, row, col, X, y, lr=run.config.lr)
    name = weight_name(choice, run.data.feature_names).split(":")[0]
    text = (f"Backpropagation says dL/d{name} = {result.gradient:.6g}; a central finite difference of the same "
            f"curve gives {result.finite_difference:.6g}. One SGD step at learning rate {result.lr:g} moves "
            f"{name} from {result.w0:.4f} to {result.w_next:.4f}, and the batch loss from {result.loss0:.5g} to "
            f"{result.loss_next:.5g} (the first {len(X)} training rows). Raise the learning rate to see the step "
            f"overshoot the bottom of the curve.")
    return {"slope": result, "figure": slope_figure(result, name), "name": name, "text": text}
