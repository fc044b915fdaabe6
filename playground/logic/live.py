"""The live view as plain functions: the progress panel, the four live charts' figures, the live loop's policy.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Iterator

from playground.core import text
from playground.figures import flow as flow_figures
from playground.figures import playground as figures
from playground.figures import problems as problem_figures
from playground.logic import flow as flow_logic
from playground.logic import pictures
from scratchnet import explain


def number_text(value: float) -> str:
    """A card's figure: three decimals; scientific notation when huge or tiny; "diverged" when not finite."""
    if not math.isfinite(value):
        return "diverged"
    if value != 0 and not 1e-3 <= abs(value) < 1e6:
        return f"{value:.3g}"
    return f"{value:.3f}"


def panel_html(run, waiting=None) -> str:
    """Progress bar and metric cards as one small HTML block (one browser update per pass).

    ``waiting`` is the server's TrainingSlots when this run is waiting for one. Each value's
    ``title`` holds it in full precision (the load test compares sessions with it).
    """
    h = run.history
    eps = run.epochs_per_second() if run.status == "training" else None
    latest = {"train_loss": h.train_loss, "val_loss": h.val_loss, "mae": h.mae, "rmse": h.rmse, "r2": h.r2,
              "train_accuracy": h.train_accuracy, "accuracy": h.accuracy}
    latest = {key: values[-1] for key, values in latest.items() if values}
    model = run.restored or latest  # after an early stop, every card describes the restored model
    epoch_label = f"Epoch (model of {run.restored['epoch']})" if run.restored else "Epoch"
    cards = [(epoch_label, "epoch", f"{run.epoch} / {run.config.epochs}", run.epoch)]
    for label, key, testid in CARDS[run.config.kind]:
        value = model.get(key)
        shown = "–" if value is None else (f"{value:.1%}" if "accuracy" in key else number_text(value))
        cards.append((label, testid, shown, "" if value is None else repr(value)))
    cards.append(("Epochs / s", "epochs", f"{eps:.0f}" if eps else "–", ""))
    if waiting is not None:
        text = (f"Epoch {run.epoch} of {run.config.epochs} · waiting for a free training slot "
                f"({waiting.busy} of {waiting.n} in use, {waiting.waiting} waiting)")
    else:
        training = eps and run.status == "training"
        left = f" · about {(run.config.epochs - run.epoch) / eps:.1f} s left" if training else ""
        text = f"Epoch {run.epoch} of {run.config.epochs}{left}"
    pct = 100 * min(run.epoch / run.config.epochs, 1.0)
    boxes = "".join(
        f'<div class="sn-card"><div class="sn-label">{label}</div>'
        f'<div class="sn-value" data-testid="sn-{testid}" title="{full}">{value}</div></div>'
        for label, testid, value, full in cards
    )
    return (
        f'<div class="sn-progress-text" data-testid="sn-progress">{text}</div>'
        f'<div class="sn-track"><div class="sn-fill" style="width:{pct:.1f}%"></div></div>'
        f'<div class="sn-cards">{boxes}</div>'
    )


BOARD_COLUMNS = (("loss", "flow", "pva"), ("network", "weights"))  # the live charts, by column, top to bottom
PROBLEM_COLUMNS = (("loss", "flow", "output"), ("network", "weights"))  # the same for a synthetic problem
FLOW_HEIGHT = 230  # pixels of the gradient-flow heatmap, under the loss chart
LOSS_AXIS = {"mse": "MSE loss", "sigmoid_cross_entropy": "cross-entropy loss"}  # the loss chart's y axis
# the metric cards after the epoch, by kind of problem: (label, key in the history, test id after "sn-")
CARDS = {
    "regression": (("Train loss", "train_loss", "train"), ("Validation loss", "val_loss", "validation"),
                   ("MAE", "mae", "mae"), ("RMSE", "rmse", "rmse"), ("R²", "r2", "r²")),
    "classification": (("Train loss", "train_loss", "train"), ("Validation loss", "val_loss", "validation"),
                       ("Train accuracy", "train_accuracy", "train-accuracy"),
                       ("Test accuracy", "accuracy", "accuracy")),
}

# compact enough for a projector: at 1280 x 720 the buttons, the cards, the loss chart and the network
# diagram are on screen together (a browser test checks it)
PANEL_CSS = """<style>
[data-testid="stMainBlockContainer"]{padding-top:3.75rem}
[data-testid="stMainBlockContainer"] h1{font-size:2rem;padding:0 0 .2rem}
[data-testid="stSidebar"] [data-testid="stBaseButton-secondary"]{padding-left:.35rem;padding-right:.35rem}
.sn-progress-text{font-size:.9rem;margin-bottom:.25rem}
.sn-track{height:.5rem;border-radius:.25rem;background:rgba(128,128,128,.2)}
.sn-fill{height:100%;border-radius:.25rem;background:#1f77b4}
.sn-cards{display:flex;flex-wrap:wrap;gap:.3rem 1.1rem;margin:.5rem 0 .2rem}
.sn-card{min-width:5rem}.sn-label{font-size:.8rem;opacity:.7}.sn-value{font-size:1.35rem;line-height:1.25}
</style>"""


CHART_WORK = 50_000_000  # multiply-adds a live chart's predictions may take per update (about 20 ms of one core)


def chart_rows(n_params: int) -> int:
    """How many rows predicted-vs-actual predicts per update: ``figures.MAX_SCATTER``, fewer for a big network.

    A network of 464,000 parameters (8 x 256) predicting 1000 rows took a tenth of a second per update, outside
    the training slots; at most ``CHART_WORK`` multiply-adds keeps every update's read-outs as cheap as its turn.
    """
    return int(max(100, min(figures.MAX_SCATTER, CHART_WORK // max(n_params, 1))))


def histogram_figure(run, epoch: int | None = None, live: bool = False, memory: dict | None = None,
                     ) -> tuple[dict, int]:
    """Weight histograms of the snapshot taken at ``epoch``, or of the current weights, and the epoch shown.

    ``live`` (while training): see ``figures.weight_histograms``; then ``memory`` (a dict the page keeps)
    holds the count axes' tops drawn so far in this training, which the axes do not go below. Once the run
    stops, it is emptied and the axes fit the bars again.

    The current weights are shown when ``epoch`` is None or is no longer a snapshot (snapshots are thinned
    as a run grows). The bin edges are shared by all snapshots and the current weights, so the bars stay
    comparable while scrubbing.
    """
    snaps = list(run.snapshots)
    snap = next((s for s in snaps if s.epoch == epoch), None) if epoch is not None else None
    params, shown = (snap.params, snap.epoch) if snap is not None else (run.current_params(), run.model_epoch)
    edges = [figures.histogram_edges([s.params[k] for s in snaps] + [params[k]]) for k in range(len(params))]
    tops = None
    if memory is not None:
        if not live or memory.get("run") != id(run):
            memory.clear()
        tops = memory.get("count_tops")
    figure = figures.weight_histograms(params, edges, shown, live, tops)
    if memory is not None and live:
        memory["run"], memory["count_tops"] = id(run), figures.count_tops(figure)
    return figure, shown


def flow_figure(records: list, total_epochs: int, live: bool = False) -> dict:
    """The gradient-flow heatmap (layer x epoch, log10 of each layer's weight-gradient norm) with its first flag.

    ``live`` while training (``figures.flow.flow_heatmap``); its epoch axis ends where the loss chart's does.
    """
    figure = flow_figures.flow_heatmap(records, "grad_norm", height=FLOW_HEIGHT, total_epochs=total_epochs,
                                       live=live)
    flags = flow_logic.flow_flags(records)
    if flags:  # the most important one, as a second line of the title
        layout = figure["layout"]
        layout["title"]["text"] += f'<br><span style="font-size:12px;color:#b35900">{text.plotly(flags[0])}</span>'
        layout["margin"] = {**layout.get("margin", {}), "t": 70}
    return figure


def board_columns(config) -> tuple[tuple[str, ...], ...]:
    """The live charts by column, top to bottom: a problem's output view in place of predicted vs actual."""
    return PROBLEM_COLUMNS if pictures.problem_of(config) is not None else BOARD_COLUMNS


def chart_figures(run, log_y: bool, rows: str, snap_epoch: int, discretize: bool = False,
                  memory: dict | None = None) -> dict:
    """The four live charts: name to (figure, epoch shown); while training the histograms show the current weights.

    ``memory`` is a dict the page keeps between updates (see ``histogram_figure``).

    For a synthetic problem the second chart is its output (``"output"``: the fitted curve, or the output map
    with the ``rows`` points on it) and every hidden neuron in the diagram carries its picture, all from one
    batched pass over the input grid.
    """
    live = run.status == "training"
    h = run.history
    # a replay: once stopped, the epoch slider takes every chart back to that snapshot's weights
    replay = None if live or snap_epoch == run.model_epoch else run.snapshot_network(snap_epoch)
    net = replay or run.network
    epoch = snap_epoch if replay is not None else run.model_epoch  # (after an early stop, the restored one)
    params = list(net.params()) if replay is not None else run.current_params()
    # while training no chart's title names the epoch (the epoch card does): a new title costs the browser
    # 4 to 8 ms a chart on each update, more than the redraw of what changed
    titled = None if live else epoch
    hist, hist_epoch = histogram_figure(run, epoch if replay is not None else None, live, memory)
    loss = figures.loss_figure(h.epochs, h.train_loss, h.eval_epochs, h.val_loss, log_y, run.config.epochs,
                               LOSS_AXIS[run.config.loss])
    flow = flow_figure(h.flow, run.config.epochs, live)
    if replay is not None:
        for figure in (loss, flow):
            _mark_epoch(figure, epoch)
    charts = {"loss": (loss, run.epoch), "flow": (flow, run.epoch), "weights": (hist, hist_epoch)}
    if pictures.problem_of(run.config) is None:
        max_rows = chart_rows(run.net.n_params(run.split.X_train.shape[1]))
        actual, predicted, idx = run.predictions(rows, max_rows=max_rows, net=replay)
        shown = f"{rows} rows" if titled is None else f"{rows} rows, epoch {epoch}"
        charts["pva"] = (figures.pred_vs_actual(actual, predicted, run.data.X[idx], run.data.feature_names,
                                                f"Predicted vs actual ({shown})"), epoch)
        network = figures.network_diagram(params, run.data.feature_names, epoch=titled, clickable=not live)
    else:
        view = pictures.compute(run, net)
        charts["output"] = (problem_view(run, view, rows, discretize, titled), epoch)
        limit = figures.MAX_DIAGRAM_NEURONS
        network = figures.network_diagram(params, run.data.feature_names, epoch=titled,
                                          pictures=pictures.thumbnails(view, limit),
                                          formulas=pictures.formulas(net, run.data.feature_names, limit),
                                          clickable=not live)
    charts["network"] = (network, epoch)
    return charts


def _mark_epoch(figure: dict, epoch: int) -> None:
    """A vertical line at ``epoch`` on a chart whose x axis is the epoch: the moment a replay shows."""
    line = {"type": "line", "xref": "x", "yref": "paper", "x0": epoch, "x1": epoch, "y0": 0, "y1": 1,
            "line": {"color": "#ff7f0e", "width": 2, "dash": "dot"}}
    figure["layout"]["shapes"] = [*figure["layout"].get("shapes", []), line]


def neuron_choices(config) -> list[str]:
    """Every hidden neuron of ``config``'s network as ``"layer:unit"`` (layers from 1, units from 0)."""
    return [f"{layer}:{k}" for layer, (n, _) in enumerate(config.hidden, start=1) for k in range(n)]


def neuron_label(choice: str | None) -> str:
    """``"2:0"`` as "layer 2, neuron 1"; None as "none"."""
    if choice is None:
        return "none"
    layer, unit = (int(part) for part in choice.split(":"))
    return f"layer {layer}, neuron {unit + 1}"


def neuron_card(run, choice: str) -> dict:
    """One neuron's card: ``title``, ``formula`` (what it computes), ``about`` (a sentence) and its large ``figure``."""
    layer, unit = (int(part) for part in choice.split(":"))
    view = pictures.compute(run)
    names = run.data.feature_names if layer == 1 else None
    net = run.network
    formula = explain.unit_formula(net, layer - 1, unit, explain.layer_input_names(net, layer - 1, names))
    title = neuron_label(choice)
    inputs = "the input features" if layer == 1 else f"the outputs of layer {layer - 1} (h{layer - 1}_1, ...)"
    about = (f"It weighs {inputs}, adds its bias and applies its activation; the picture is its output over the "
             f"whole input {'line' if view.problem.dims == 1 else 'square'} at epoch {run.model_epoch}.")
    figure = problem_figures.neuron_figure(pictures.picture(view, layer, unit), formula,
                                           f"{title.capitalize()} over the inputs")
    return {"title": title, "formula": formula, "about": about, "figure": figure}


def problem_view(run, view: pictures.Pictures, rows: str, discretize: bool, epoch: int | None) -> dict:
    """The output of a synthetic problem's network over its inputs, with the ``rows`` points ("test" or "train").

    The title names ``epoch`` unless it is None.
    """
    index = run.split.test_rows if rows == "test" else run.split.train_rows
    points = pictures.raw_points(run.config)[index]
    y = run.data.y[index]
    shown = f"{rows} points" if epoch is None else f"{rows} points, epoch {epoch}"
    title = f"{view.problem.title.capitalize()}: the network's output ({shown})"
    if view.problem.dims == 1:
        return problem_figures.curve_figure(view.axis, view.output, points[:, 0], y, title)
    return problem_figures.output_map(view.axis, view.output, points, y, run.config.kind, discretize, title)


# ----- the live loop's policy ------------------------------------------------------------
LIVE_SECONDS = 30.0  # longest one live loop runs before the page reruns itself
# time between two updates that carry the charts while training; the turns in between send the progress panel
# only (which is also where a Stop is noticed). A chart update cost the browser about a tenth of a second of
# drawing when this was set (about 0.06 s for the spirals since the live forms): sent after every 0.1 s turn,
# they kept the browser so busy it drew fewer of them.
CHART_INTERVAL = 0.2


def live_updates(run, slots, read_charts: Callable[[], dict], budget: float, wait: float,
                 seconds: float = LIVE_SECONDS, interval: float = CHART_INTERVAL,
                 ) -> Iterator[tuple[dict | None, bool, bool]]:
    """The live loop: train a turn, read the charts, yield one update; until the run stops or ``seconds`` pass.

    A turn is the training (``budget`` seconds) and the charts' read-outs, on one of the server's ``slots``
    (waiting at most ``wait`` seconds for one): all of a session's work takes turns with everyone's.
    Yields ``(charts, waiting, training)``: the figures (None if no slot came free), whether the run is
    waiting for a slot, and whether it is still training. A run that is not training gives one update.
    While training, the charts are read once every ``interval`` seconds, and always when the run stops:
    the turn before they are due trains only until then (but at least half a ``budget``), so that
    they are read on time rather than up to a turn late (whole 0.1 s turns put them 0.22 s apart at best).
    """
    deadline = time.perf_counter() + seconds
    due = -math.inf  # when the charts are to be read next
    while True:
        charts, waiting = None, False
        if run.status == "training":
            with slots.slot(timeout=wait) as got:
                if got:
                    run.advance(max(min(budget, due - time.perf_counter()), budget / 2))
                    now = time.perf_counter()
                    if run.status != "training" or now >= due:
                        charts, due = read_charts(), now + interval
            waiting = not got
        else:
            charts = read_charts()
        training = run.status == "training"
        yield charts, waiting, training
        if not training or time.perf_counter() > deadline:
            return


# ----- which epoch's weights the histograms show ------------------------------------------
def snapshot_epochs(run) -> list[int]:
    """The epochs a person can scrub to: the run's snapshots and the current epoch, in order."""
    return sorted({s.epoch for s in run.snapshots} | {run.epoch})


def snapshot_choice(run, chosen: int | None, follow: bool) -> int:
    """The epoch the histograms show: the newest while training or following, else the one scrubbed to."""
    epochs = snapshot_epochs(run)
    if run.status == "training" or follow or chosen not in epochs:
        return epochs[-1]
    return chosen


def snapshot_slider_key(epochs: list[int]) -> str:
    """The scrub slider's key: a new one whenever its choices change.

    A click that lands while the browser still shows the previous slider sends that slider's value; under
    a new key it names a widget that no longer exists and is ignored, instead of being taken for a scrub
    (that had the histograms stuck at an old epoch after quick Steps).
    """
    return f"snap_epoch_{len(epochs)}_{epochs[-1]}"
