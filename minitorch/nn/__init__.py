"""Neural-network building blocks: ``Module``, ``Parameter``, layers, activations,
losses, ``functional`` (F), ``init`` and ``utils`` (gradient clipping)."""
from . import functional, init, utils
from .activation import (ELU, GELU, SELU, Hardtanh, LeakyReLU, LogSoftmax, ReLU, ReLU6,
                         Sigmoid, SiLU, Softmax, Softmin, Softplus, Tanh)
from .container import ModuleList, Sequential
from .distance import CosineSimilarity, PairwiseDistance
from .layers import Dropout, Flatten, Identity, Linear
from .loss import (BCELoss, BCEWithLogitsLoss, CrossEntropyLoss, HuberLoss, L1Loss,
                   MSELoss, MultiMarginLoss, NLLLoss, SmoothL1Loss)
from .module import Module
from .padding import (CircularPad1d, CircularPad2d, CircularPad3d, ConstantPad1d,
                      ConstantPad2d, ConstantPad3d, ReflectionPad1d, ReflectionPad2d,
                      ReflectionPad3d, ReplicationPad1d, ReplicationPad2d, ReplicationPad3d,
                      ZeroPad1d, ZeroPad2d, ZeroPad3d)
from .parameter import Parameter

__all__ = [
    "Module", "Parameter", "Sequential", "ModuleList",
    "Linear", "Dropout", "Identity", "Flatten",
    "ReLU", "LeakyReLU", "Sigmoid", "Tanh", "GELU", "Softmax", "LogSoftmax",
    "Softplus", "SiLU", "ELU", "SELU", "Hardtanh", "ReLU6", "Softmin",
    "CosineSimilarity", "PairwiseDistance",
    "ZeroPad1d", "ZeroPad2d", "ZeroPad3d", "ConstantPad1d", "ConstantPad2d", "ConstantPad3d",
    "ReflectionPad1d", "ReflectionPad2d", "ReflectionPad3d", "ReplicationPad1d",
    "ReplicationPad2d", "ReplicationPad3d", "CircularPad1d", "CircularPad2d", "CircularPad3d",
    "MSELoss", "L1Loss", "HuberLoss", "SmoothL1Loss", "CrossEntropyLoss", "NLLLoss",
    "BCELoss", "BCEWithLogitsLoss", "MultiMarginLoss",
    "functional", "init", "utils",
]
