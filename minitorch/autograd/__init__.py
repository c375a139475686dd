"""Reverse-mode automatic differentiation: Function, the engine, grad mode, checks."""
from .function import Function, Node, Primitive
from .grad_mode import (enable_grad, inference_mode, is_grad_enabled, no_grad, retain_grads,
                        set_grad_enabled)
from .engine import backward, grad, run_backward
from .gradcheck import GradcheckError, gradcheck, gradgradcheck
