"""scratchnet: the neural network framework of chapter 3 of "Deep Learning from Scratch", in numpy."""

from .activations import ACTIVATIONS, LeakyReLU, Linear, ReLU, Sigmoid, Tanh, get_activation
from .data import DataError, Dataset, load_boston, load_csv, load_dataset, load_diabetes, make_sine, split_scale
from .layers import LAYERS, Dense, Layer, get_layer
from .losses import LOSSES, HuberLoss, Loss, MeanSquaredError, get_loss
from .metrics import eval_regression_model, mae, r2, regression_metrics, rmse
from .network import NeuralNetwork
from .operation import Operation, ParamOperation, ShapeError
from .optimizers import OPTIMIZERS, SGD, Adam, Optimizer, SGDMomentum, get_optimizer
from .param_operations import BiasAdd, WeightMultiply
from .serialization import ModelFileError, load, save
from .trainer import EpochReport, Trainer, TrainingDiverged

__all__ = [
    "ACTIVATIONS",
    "LAYERS",
    "LOSSES",
    "OPTIMIZERS",
    "Adam",
    "BiasAdd",
    "DataError",
    "Dataset",
    "Dense",
    "EpochReport",
    "HuberLoss",
    "Layer",
    "LeakyReLU",
    "Linear",
    "Loss",
    "MeanSquaredError",
    "ModelFileError",
    "NeuralNetwork",
    "Operation",
    "Optimizer",
    "ParamOperation",
    "ReLU",
    "SGD",
    "SGDMomentum",
    "ShapeError",
    "Sigmoid",
    "Tanh",
    "Trainer",
    "TrainingDiverged",
    "WeightMultiply",
    "eval_regression_model",
    "get_activation",
    "get_layer",
    "get_loss",
    "get_optimizer",
    "load",
    "load_boston",
    "load_csv",
    "load_dataset",
    "load_diabetes",
    "mae",
    "make_sine",
    "r2",
    "regression_metrics",
    "rmse",
    "save",
    "split_scale",
]
