"""scratchnet: the neural network framework of chapter 3 of "Deep Learning from Scratch", in numpy."""

from .activations import ACTIVATIONS, LeakyReLU, Linear, ReLU, Sigmoid, Tanh, get_activation
from .data import (
    DataError,
    Dataset,
    dataset_names,
    load_boston,
    load_csv,
    load_dataset,
    load_diabetes,
    make_sine,
    split_scale,
)
from .explain import contributions, unit_formula
from .layers import LAYERS, Dense, Layer, get_layer
from .losses import LOSSES, HuberLoss, Loss, MeanSquaredError, SigmoidCrossEntropy, SoftmaxCrossEntropy, get_loss
from .metrics import accuracy, classification_metrics, eval_regression_model, mae, r2, regression_metrics, rmse
from .network import NeuralNetwork
from .operation import Operation, ParamOperation, ShapeError
from .optimizers import OPTIMIZERS, SGD, Adam, Optimizer, SGDMomentum, get_optimizer
from .param_operations import BiasAdd, WeightMultiply
from .problems import PROBLEMS, Problem, make_problem
from .serialization import ModelFileError, load, save
from .trainer import EpochReport, Trainer, TrainingDiverged

__all__ = [
    "ACTIVATIONS",
    "LAYERS",
    "LOSSES",
    "OPTIMIZERS",
    "PROBLEMS",
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
    "Problem",
    "ReLU",
    "SGD",
    "SGDMomentum",
    "ShapeError",
    "Sigmoid",
    "SigmoidCrossEntropy",
    "SoftmaxCrossEntropy",
    "Tanh",
    "Trainer",
    "TrainingDiverged",
    "WeightMultiply",
    "accuracy",
    "classification_metrics",
    "contributions",
    "dataset_names",
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
    "make_problem",
    "make_sine",
    "r2",
    "regression_metrics",
    "rmse",
    "save",
    "split_scale",
    "unit_formula",
]
