"""Every primitive operation's one derivative rule, checked against finite differences.

``CASES`` has an entry per ``Primitive`` subclass that the library defines; the
first test enumerates the subclasses, so an operation added without a case here
fails the suite. Each case calls the operation on float64 inputs over several
shapes (broadcasting included) and checks:

* first order: the rule run on arrays (the training path) against central
  differences (``gradcheck``);
* the same rule run on Tensors (``create_graph=True``) gives the same gradients;
* second order: the derivative of the recorded backward pass (``gradgradcheck``).

``test_a_wrong_rule_is_caught`` makes each rule wrong by a factor of 1.5 in turn
and checks that these tests notice.
"""
import numpy as np
import pytest

import minitorch as mt
import minitorch.nn.functional as F
from minitorch import ops
from minitorch.autograd import Primitive, gradcheck, gradgradcheck


def _values(shape, kind, rng):
    if kind == "positive":
        return rng.uniform(0.5, 2.0, size=shape)
    if kind == "nonzero":  # away from kinks at 0 (relu, abs) and from division by 0
        return rng.uniform(0.3, 2.0, size=shape) * rng.choice([-1.0, 1.0], size=shape)
    if kind == "probability":
        return rng.uniform(0.1, 0.9, size=shape)
    if kind in ("zero", "zeros"):  # exact zeros: one, or two (products' rules at zero)
        values = rng.uniform(0.5, 1.5, size=shape) * rng.choice([-1.0, 1.0], size=shape)
        values.reshape(-1)[[1] if kind == "zero" else [0, 2]] = 0.0
        return values
    if kind == "distinct":  # no ties (max, min, sort-like rules)
        spaced = rng.permutation(np.prod(shape, dtype=int)).reshape(shape) * 0.37 - 1.1
        return spaced + rng.uniform(0.01, 0.3, size=shape)  # and none shared by two inputs
    return rng.uniform(-2.0, 2.0, size=shape)


def _inputs(specs, seed=0):
    rng = np.random.default_rng(seed)
    return [mt.tensor(_values(shape, kind, rng), dtype=mt.float64, requires_grad=True)
            for shape, kind in specs]


BROADCAST = [((3, 4), (3, 4)), ((2, 3, 4), (4,)), ((3, 1), (1, 4)), ((), (2, 3))]
UNARY_SHAPES = [(5,), (3, 4), (2, 3, 4)]


def binary(fn, kind_a="any", kind_b="any"):
    return [(fn, [(a, kind_a), (b, kind_b)]) for a, b in BROADCAST]


def unary(fn, kind="any", shapes=UNARY_SHAPES):
    return [(fn, [(s, kind)]) for s in shapes]


INDEX = np.array([[0, 2, 2], [1, 0, 1]])  # repeated indices: gradients must add up

# windows of an image (2, 4, 5, 4): 2 groups, 3x2 kernel, stride (2, 1), dilation (1, 2),
# asymmetric padding; windows overlap (their gradients must add up)
WINDOW = ops.Window((2, 4, 5, 4), (3, 2), (2, 1), (1, 2), ((1, 2), (0, 1)), 2)
POOL = ops.Window((2, 3, 5, 4), (3, 2), (2, 1), (1, 1), ((1, 1), (0, 1)), 1)  # overlapping

# Each entry: a list of (function of float64 tensors, [(shape, kind) per input]).
CASES = {
    "Add": binary(lambda a, b: a + b),
    "Sub": binary(lambda a, b: a - b),
    "Mul": binary(lambda a, b: a * b),
    "Div": binary(lambda a, b: a / b, "any", "nonzero"),
    "Pow": binary(lambda a, b: a ** b, "positive", "any"),
    "Maximum": binary(mt.maximum, "distinct", "distinct"),
    "Minimum": binary(mt.minimum, "distinct", "distinct"),
    "Where": binary(lambda a, b: mt.where(a > 0, a, b), "nonzero"),
    "Neg": unary(lambda x: -x),
    "PowScalar": unary(lambda x: x ** 3) + unary(lambda x: x ** 2) + unary(lambda x: x ** 0.5,
                                                                           "positive"),
    "Exp": unary(mt.exp),
    "Log": unary(mt.log, "positive"),
    "Sqrt": unary(mt.sqrt, "positive"),
    "Log1p": unary(mt.log1p, "positive"),
    "Expm1": unary(mt.expm1),
    "Log2": unary(mt.log2, "positive"),
    "Log10": unary(mt.log10, "positive"),
    "Cumsum": unary(lambda x: x.cumsum(-1) ** 2) + unary(lambda x: x.cumsum(0) ** 2),
    "Cumprod": unary(lambda x: x.cumprod(-1)) + unary(lambda x: x.cumprod(0)) +
               unary(lambda x: x.cumprod(-1), "zeros") + unary(lambda x: x.cumprod(0), "zeros"),
    "Prod": unary(lambda x: x.prod()) + unary(lambda x: x.prod(-1)) +
            unary(lambda x: x.prod(-1, keepdim=True), "zeros", UNARY_SHAPES[1:]) +
            unary(lambda x: x.prod(), "zero"),
    "Einsum": [(lambda a, b: mt.einsum("ij,jk->ik", a, b), [((3, 4), "any"), ((4, 2), "any")]),
               (lambda a, b: mt.einsum("...ij,...jk", a, b),
                [((2, 1, 3, 4), "any"), ((3, 4, 2), "any")]),
               (lambda a, b: mt.einsum("ii,ij->j", a, b) ** 2, [((3, 3), "any"), ((3, 2), "any")]),
               (lambda a, b, c: mt.einsum("ab,bc,cd->ad", a, b, c),
                [((2, 3), "any"), ((3, 4), "any"), ((4, 2), "any")]),
               (lambda a, b: mt.einsum("bij,bj->bi", a, b) * mt.einsum("ijk->k", a).sum(),
                [((2, 3, 4), "any"), ((1, 4), "any")])],
    "Sin": unary(mt.sin),
    "Cos": unary(mt.cos),
    "Tanh": unary(mt.tanh),
    "Sigmoid": unary(mt.sigmoid),
    "Relu": unary(mt.relu, "nonzero"),
    "Abs": unary(mt.abs, "nonzero"),
    "Erf": unary(mt.erf),
    "Clamp": unary(lambda x: x.clamp(-1.0, 1.0), "nonzero") + unary(lambda x: x.clamp(min=0.5)),
    "Clone": unary(lambda x: x.clone() * x),
    "Cast": unary(lambda x: ops.Cast.apply(x, np.float64) * x),
    "Sum": unary(lambda x: x.sum()) + unary(lambda x: (x.sum(-1, keepdim=True) * x)) +
           unary(lambda x: x.sum((0, -1)), shapes=[(2, 3, 4)]),
    "Mean": unary(lambda x: x.mean()) + unary(lambda x: x.mean(0) ** 2),
    "Max": unary(lambda x: x.amax(-1) ** 2, "distinct") + unary(lambda x: x.max(), "distinct"),
    "Min": unary(lambda x: x.amin(0) ** 2, "distinct") + unary(lambda x: x.min(), "distinct"),
    "LogSumExp": unary(lambda x: x.logsumexp(-1)) + unary(lambda x: x.logsumexp(0, True)),
    "Softmax": unary(lambda x: x.softmax(-1)) + unary(lambda x: x.softmax(0)),
    "LogSoftmax": unary(lambda x: x.log_softmax(-1)),
    "Reshape": unary(lambda x: x.reshape(-1) * x.reshape(-1)) +
               unary(lambda x: x.view(x.shape[0], -1) ** 2),
    "Permute": unary(lambda x: x.T ** 2) + unary(lambda x: x.permute(2, 0, 1) ** 2,
                                                 shapes=[(2, 3, 4)]),
    "Expand": [(lambda x: x.expand(3, 4) ** 2, [((4,), "any")]),
               (lambda x: x.expand(2, 3, 4) ** 2, [((3, 1), "any")])],
    "Cat": [(lambda a, b: mt.cat([a, b], 0) ** 2, [((2, 3), "any"), ((4, 3), "any")]),
            (lambda a, b: mt.cat([a, b, a], -1) ** 2, [((2, 3), "any"), ((2, 1), "any")])],
    "Diagonal": [(lambda x: x.diagonal() ** 2, [((3, 4), "any")]),
                 (lambda x: x.diagonal(1, 2, 0) ** 2, [((2, 3, 4), "any")]),
                 (lambda x: x.diagonal(-1) * x.diagonal(-1), [((4, 3), "any")])],
    "DiagonalScatter": [(lambda v: mt.diag(v, 1) ** 2, [((3,), "any")]),
                        (lambda v: ops.DiagonalScatter.apply(v, (0, 1, 2), (2, 3, 4)) ** 2,
                         [((2, 3), "any")])],
    "GetItem": [(lambda x: x[1:, ::2] ** 2, [((3, 4), "any")]),
                (lambda x: x[INDEX] ** 2, [((3, 4), "any")]),
                (lambda x: x[x > 0] ** 2, [((3, 4), "nonzero")]),
                (lambda x: x[None, ..., 0] ** 2, [((2, 3, 4), "any")])],
    "IndexAdd": [(lambda v: ops.IndexAdd.apply(v, INDEX, (4, 5)) ** 2, [((2, 3, 5), "any")])],
    "SetItem": [(lambda a, v: ops.SetItem.apply(a, (slice(1, 3),), v) ** 2,
                 [((4, 3), "any"), ((2, 3), "any")]),
                (lambda a, v: ops.SetItem.apply(a, (np.array([0, 2]),), v) ** 2,
                 [((4, 3), "any"), ((3,), "any")])],
    "Gather": [(lambda x: x.gather(1, mt.tensor(INDEX)) ** 2, [((2, 4), "any")]),
               (lambda x: x.gather(0, mt.tensor(INDEX)) ** 2, [((3, 3), "any")])],
    "ScatterAdd": [(lambda v: ops.ScatterAdd.apply(v, 1, INDEX, (2, 4)) ** 2,
                    [((2, 3), "any")])],
    "MatMul": [(lambda a, b: a @ b, [(sa, "any"), (sb, "any")])
               for sa, sb in [((3, 4), (4, 2)), ((2, 3, 4), (4, 5)), ((4,), (4, 3)),
                              ((2, 1, 3, 4), (3, 4, 2))]],
    "Solve": [(lambda a, b: mt.linalg.solve(a + 3 * mt.eye(3, dtype=mt.float64), b),
               [(sa, "any"), (sb, "any")])
              for sa, sb in [((3, 3), (3, 2)), ((2, 3, 3), (3,)), ((3, 3), (2, 3, 1))]],
    "Linear": [(lambda x, w, b: ops.linear(x, w, b) ** 2, [(sx, "any"), ((3, 4), "any"),
                                                          ((3,), "any")])
               for sx in [(5, 4), (2, 5, 4), (4,)]],
    "CrossEntropy": [(lambda x, r=reduction: ops.cross_entropy(x, np.array([0, 2, 1, 2]), r),
                      [((4, 3), "any")]) for reduction in ("mean", "sum", "none")],
    "Convolution": [(lambda x, w, b: ops.Convolution.apply(x, w, b, WINDOW),
                     [((2, 4, 5, 4), "any"), ((4, 2, 3, 2), "any"), ((4,), "any")]),
                    (lambda x, w: F.conv2d(x, w, None, 1, "same") ** 2,
                     [((1, 2, 3, 4), "any"), ((3, 2, 2, 3), "any")])],
    "Im2Col": [(lambda x: ops.Im2Col.apply(x, WINDOW) ** 2, [((2, 4, 5, 4), "any")])],
    "Col2Im": [(lambda c: ops.Col2Im.apply(c, WINDOW) ** 2,
                [(WINDOW.columns_shape, "any")])],
    "MaxPool": [(lambda x: ops.MaxPool.apply(x, POOL) ** 2, [((2, 3, 5, 4), "distinct")]),
                (lambda x: F.max_pool2d(x, 2) ** 2, [((2, 2, 4, 4), "distinct")])],
    "BatchNorm": [(lambda x, w, b: F.batch_norm(x, None, None, w, b, training=True),
                   [((4, 3, 2), "any"), ((3,), "any"), ((3,), "any")]),
                  (lambda x: F.batch_norm(x, None, None, training=True), [((5, 2), "any")])],
    "LayerNorm": [(lambda x, w, b: F.layer_norm(x, (3, 2), w, b),
                   [((2, 3, 2), "any"), ((3, 2), "any"), ((3, 2), "any")]),
                  (lambda x, b: F.layer_norm(x, 4, None, b), [((4,), "any"), ((4,), "any")])],
    "GroupNorm": [(lambda x, w, b: F.group_norm(x, 2, w, b),
                   [((2, 4, 3), "any"), ((4,), "any"), ((4,), "any")])],
    "BinaryCrossEntropy": [(ops.BinaryCrossEntropy.apply,
                            [(s, "probability"), (s, "probability")]) for s in [(5,), (2, 3)]],
}


def _primitives():
    """Every concrete Primitive subclass the library defines (private bases excluded)."""
    found, pending = set(), list(Primitive.__subclasses__())
    while pending:
        cls = pending.pop()
        pending.extend(cls.__subclasses__())
        if cls.__module__.startswith("minitorch.") and not cls.__name__.startswith("_"):
            found.add(cls)
    return found


PARAMS = [pytest.param(name, i, id=f"{name}-{i}")
          for name, calls in sorted(CASES.items()) for i in range(len(calls))]


def test_every_primitive_has_cases():
    names = {cls.__name__ for cls in _primitives()}
    assert names - set(CASES) == set(), "operations without gradient cases in CASES"
    assert set(CASES) - names == set(), "cases for operations that no longer exist"


def _check(name, i, seed=0):
    fn, specs = CASES[name][i]
    inputs = _inputs(specs, seed)
    assert gradcheck(fn, inputs)
    # the rule on Tensors (create_graph) agrees with the rule on arrays
    out = fn(*inputs)
    seed_grad = mt.tensor(np.random.default_rng(1).standard_normal(out.shape), dtype=mt.float64)
    on_arrays = mt.autograd.grad(out, inputs, seed_grad, retain_graph=True, allow_unused=True)
    on_tensors = mt.autograd.grad(out, inputs, seed_grad, create_graph=True, allow_unused=True)
    for a, t in zip(on_arrays, on_tensors):
        assert (a is None) == (t is None)
        if a is not None:
            np.testing.assert_allclose(a.numpy(), t.detach().numpy(), rtol=1e-12, atol=1e-12)
    assert gradgradcheck(fn, inputs)


@pytest.mark.parametrize("name, i", PARAMS)
def test_rule_first_and_second_order(name, i):
    _check(name, i)


@pytest.mark.parametrize("name", sorted(CASES))
def test_a_wrong_rule_is_caught(name, monkeypatch):
    cls = next(c for c in _primitives() if c.__name__ == name)
    rule = cls.backward

    def wrong(ctx, grad):
        grads = rule(ctx, grad)
        grads = grads if isinstance(grads, tuple) else (grads,)
        return tuple(None if g is None else g * 1.5 for g in grads)

    monkeypatch.setattr(cls, "backward", staticmethod(wrong))
    caught = 0
    for i in range(len(CASES[name])):
        try:
            _check(name, i)
        except (AssertionError, mt.autograd.GradcheckError):
            caught += 1
    assert caught == len(CASES[name]), f"{name}: a rule 1.5x too large went unnoticed"
