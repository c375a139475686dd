"""Gradients of the everyday tensor operations (issue 10) that are compositions of
primitives: first and second order against central differences, in float64, over
several shapes (broadcasting included); and PyTorch's gradients at the special
points (zeros, ties, bounds) where a naive formula gives nan or a wrong value.
"""
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import minitorch as mt
import minitorch.nn.functional as F
from minitorch.autograd import gradcheck, gradgradcheck


def _values(shape, kind, rng):
    if kind == "positive":
        return rng.uniform(0.5, 2.0, size=shape)
    if kind == "nonzero":  # away from kinks at 0
        return rng.uniform(0.3, 2.0, size=shape) * rng.choice([-1.0, 1.0], size=shape)
    if kind == "distinct":  # no ties (sorting, max)
        size = int(np.prod(shape, dtype=int))
        return (rng.permutation(size).reshape(shape) * 0.37 - 1.1 +
                rng.uniform(0.01, 0.3, size=shape))
    return rng.uniform(-2.0, 2.0, size=shape)


def _inputs(specs, seed=0):
    rng = np.random.default_rng(seed)
    return [mt.tensor(_values(shape, kind, rng), dtype=mt.float64, requires_grad=True)
            for shape, kind in specs]


def cases(fn, *specs_list):
    return [(fn, specs) for specs in specs_list]


def one(shape, kind="any"):
    return [(shape, kind)]


MASK = np.array([[True, False, True, False], [False, False, True, True], [True, True, False,
                                                                             False]])

# name -> list of (function of float64 tensors, [(shape, kind) per input])
COMPOSED = {
    "mm": cases(mt.mm, [((3, 4), "any"), ((4, 2), "any")], [((1, 3), "any"), ((3, 1), "any")]),
    "bmm": cases(mt.bmm, [((2, 3, 4), "any"), ((2, 4, 2), "any")]),
    "mv": cases(mt.mv, [((3, 4), "any"), ((4,), "any")]),
    "dot": cases(mt.dot, [((4,), "any"), ((4,), "any")]),
    "outer": cases(mt.outer, [((3,), "any"), ((2,), "any")]),
    "addmm": cases(mt.addmm, [((2,), "any"), ((3, 4), "any"), ((4, 2), "any")],
                   [((3, 2), "any"), ((3, 4), "any"), ((4, 2), "any")],
                   [((3, 1), "any"), ((3, 4), "any"), ((4, 2), "any")]) +
             cases(lambda c, a, b: mt.addmm(c, a, b, beta=0.5, alpha=-2.0),
                   [((1, 2), "any"), ((3, 4), "any"), ((4, 2), "any")]),
    "norm": cases(lambda x: x.norm(), one((5,)), one((3, 4))) +
            cases(lambda x: x.norm(dim=1), one((3, 4)), one((2, 3, 4))) +
            cases(lambda x: x.norm(p=1, dim=-1, keepdim=True), one((3, 4), "nonzero")) +
            cases(lambda x: x.norm(p=3, dim=(0, 2)), one((2, 3, 4), "nonzero")) +
            cases(lambda x: x.norm(p=0.5), one((3, 4), "nonzero")) +
            cases(lambda x: x.norm(p=float("inf"), dim=0), one((3, 4), "distinct")) +
            cases(lambda x: x.norm(p=-1.5, dim=1), one((3, 4), "nonzero")),
    "vector_norm": cases(lambda x: mt.linalg.vector_norm(x, float("-inf"), dim=1),
                         one((3, 4), "distinct")) +
                   cases(lambda x: mt.linalg.vector_norm(x, 2, dim=(0, 1), keepdim=True),
                         one((2, 3, 4))),
    "matrix_norm": [(lambda x, o=o: mt.linalg.matrix_norm(x, o), one(shape, "distinct"))
                    for o in ("fro", 1, -1, float("inf"), float("-inf"))
                    for shape in ((3, 4), (2, 3, 4))],
    "linalg_norm": cases(lambda x: mt.linalg.norm(x), one((2, 3, 4))) +
                   cases(lambda x: mt.linalg.norm(x, 1), one((3, 4), "distinct")) +
                   cases(lambda x: mt.linalg.norm(x, 3, dim=-1), one((3, 4), "nonzero")),
    "cdist": cases(lambda a, b: mt.cdist(a, b), [((3, 4), "any"), ((2, 4), "any")],
                   [((2, 3, 4), "any"), ((1, 2, 4), "any")]) +
             cases(lambda a, b: mt.cdist(a, b, p=1), [((3, 2), "distinct"), ((2, 2), "any")]) +
             cases(lambda a, b: mt.cdist(a, b, p=float("inf")),
                   [((3, 2), "distinct"), ((2, 2), "distinct")]),
    "chunk": cases(lambda x: mt.cat([c * (i + 1) for i, c in enumerate(x.chunk(3, -1))], -1),
                   one((2, 5)), one((7,))),
    "split": cases(lambda x: mt.cat([c * (i + 1) for i, c in enumerate(x.split([1, 3], 0))]),
                   one((4, 3))) +
             cases(lambda x: x.split(2, 1)[1] ** 2, one((2, 5))),
    "unbind": cases(lambda x: x.unbind(1)[0] * x.unbind(1)[2], one((2, 3))),
    "narrow": cases(lambda x: x.narrow(1, 1, 2) ** 2, one((2, 4))),
    "repeat": cases(lambda x: x.repeat(2, 3) ** 2, one((3,)), one((2, 3))) +
              cases(lambda x: x.repeat(2, 1, 2) * mt.arange(12.0, dtype=mt.float64).reshape(
                  2, 1, 6), one((1, 3))),
    "tile": cases(lambda x: x.tile((2,)) ** 2, one((2, 3))),
    "flip": cases(lambda x: x.flip(0) * x, one((4,)), one((2, 3))) +
            cases(lambda x: x.flip(0, -1) ** 2, one((2, 3, 4))),
    "roll": cases(lambda x: x.roll(1) * x, one((2, 3))) +
            cases(lambda x: x.roll((1, -2), (0, 1)) * x, one((3, 4))),
    "tril": cases(lambda x: x.tril() ** 2, one((3, 3)), one((2, 3, 4))) +
            cases(lambda x: x.tril(-1) ** 2, one((4, 3))),
    "triu": cases(lambda x: x.triu(1) ** 2, one((3, 4)), one((2, 3, 3))),
    "index_select": cases(lambda x: x.index_select(1, mt.tensor([2, 0, 2])) ** 2,
                          one((2, 3)), one((2, 4, 2))),
    "masked_fill": cases(lambda x: x.masked_fill(mt.tensor(MASK), 0.5) * x, one((3, 4))) +
                   cases(lambda x, v: x.masked_fill(mt.tensor(MASK[0]), v) ** 2,
                         [((3, 4), "any"), ((), "any")]),
    "topk": cases(lambda x: x.topk(2).values ** 2, one((5,), "distinct"),
                  one((3, 4), "distinct")) +
            cases(lambda x: x.topk(2, dim=0, largest=False).values ** 2,
                  one((3, 4), "distinct")),
    "sort": cases(lambda x: x.sort().values * mt.arange(4.0, dtype=mt.float64),
                  one((4,), "distinct"), one((3, 4), "distinct")) +
            cases(lambda x: x.sort(0, descending=True)[0] ** 2, one((3, 4), "distinct")),
    "diff": cases(lambda x: x.diff() ** 2, one((5,)), one((3, 4))) +
            cases(lambda x, p: x.diff(n=2, dim=0, prepend=p) ** 2,
                  [((3, 4), "any"), ((1, 4), "any")]),
    "clamp_min_max": cases(lambda x: x.clamp_min(0.1) * x.clamp_max(0.3), one((3, 4))),
    "rsqrt": cases(mt.rsqrt, one((3, 4), "positive")),
    "reciprocal": cases(mt.reciprocal, one((3, 4), "nonzero")),
    "normalize": cases(lambda x: F.normalize(x), one((3, 4))) +
                 cases(lambda x: F.normalize(x, p=1, dim=0), one((3, 4), "nonzero")),
    "cosine_similarity": cases(F.cosine_similarity, [((3, 4), "any"), ((3, 4), "any")],
                               [((2, 1, 4), "any"), ((3, 4), "any")]) +
                         cases(lambda a, b: F.cosine_similarity(a, b, dim=0),
                               [((4, 2), "any"), ((4, 1), "any")]),
    "pairwise_distance": cases(F.pairwise_distance, [((3, 4), "any"), ((1, 4), "any")]),
    "pad": [(lambda x, m=m, p=p: F.pad(x, p, m) ** 2, one(shape))
            for m, p, shape in [("constant", (1, 2), (2, 3)), ("constant", (-1, 1, 2, 0), (2, 3)),
                                ("reflect", (2, 1), (1, 2, 4)),
                                ("reflect", (1, 1, 2, 1), (2, 3, 4)),
                                ("replicate", (2, 3), (2, 3)),
                                ("replicate", (1, 0, 0, 2), (1, 2, 3)),
                                ("circular", (2, 1), (2, 3)),
                                ("circular", (1, 2, 1, 1), (1, 2, 3))]] +
           cases(lambda x: F.pad(x, (1, 1), value=2.5) * F.pad(x, (2, 0)), one((3, 2))),
    "softplus": cases(F.softplus, one((3, 4))) +
                cases(lambda x: F.softplus(x * 15, beta=2.0, threshold=20.0), one((3, 4))),
    "silu": cases(F.silu, one((3, 4))),
    "elu": cases(F.elu, one((3, 4), "nonzero")) +
           cases(lambda x: F.elu(x, alpha=0.5), one((5,), "nonzero")),
    "selu": cases(F.selu, one((3, 4), "nonzero")),
    "hardtanh": cases(lambda x: F.hardtanh(x, -0.9, 1.1) ** 2, one((3, 4), "nonzero")),
    "softmin": cases(lambda x: F.softmin(x, 1), one((3, 4))) +
               cases(lambda x: F.softmin(x, 0), one((4,))),
    "step_functions": cases(lambda x: x * x.floor() + x.ceil() * x.round() + x.sign() * x +
                            x.trunc() * x, one((3, 4), "nonzero")),
    "std_var": cases(lambda x: x.std(1), one((3, 4))) +
               cases(lambda x: x.std(), one((5,))) +
               cases(lambda x: x.var(0, unbiased=False), one((3, 4))),
}

PARAMS = [pytest.param(name, i, id=f"{name}-{i}")
          for name, calls in sorted(COMPOSED.items()) for i in range(len(calls))]


@pytest.mark.parametrize("name, i", PARAMS)
def test_first_and_second_order(name, i):
    fn, specs = COMPOSED[name][i]
    inputs = _inputs(specs)
    assert gradcheck(fn, inputs)
    assert gradgradcheck(fn, inputs)


@settings(max_examples=15, deadline=None)
@given(rows=st.integers(1, 4), cols=st.integers(1, 4), seed=st.integers(0, 1000),
       shifts=st.integers(-5, 5), p=st.sampled_from([1.0, 2.0, 3.0]))
def test_shape_ops_and_norms_over_random_shapes(rows, cols, seed, shifts, p):
    (x,) = _inputs([((rows, cols), "nonzero")], seed)
    assert gradcheck(lambda t: t.roll(shifts, 1) * t.flip(0), (x,))
    assert gradcheck(lambda t: t.repeat(2, 1).cumsum(0) * t.tile((2, 1)), (x,))
    assert gradcheck(lambda t: t.norm(p=p, dim=1) + t.tril().sum(), (x,))
    assert gradcheck(lambda t: mt.cat(t.chunk(2, 1), 1) * t.cumprod(1), (x,))


# --- PyTorch's gradients at the special points ------------------------------------

def _grad(fn, values, dtype=mt.float64):
    x = mt.tensor(values, dtype=dtype, requires_grad=True)
    fn(x).sum().backward()
    return x.grad.numpy()


@pytest.mark.parametrize("fn", [
    lambda x: x.norm(), lambda x: x.norm(p=3), lambda x: x.norm(p=0.5),
    lambda x: mt.linalg.norm(x), lambda x: mt.linalg.vector_norm(x, 2, dim=0),
    lambda x: mt.linalg.matrix_norm(x.reshape(1, 3)), lambda x: x.std(),
    lambda x: mt.cdist(x.reshape(3, 1), x.reshape(3, 1)),
], ids=["norm", "norm3", "norm0.5", "linalg.norm", "vector_norm", "fro", "std", "cdist"])
def test_norms_of_zero_have_zero_gradient_as_pytorch(fn):
    grad = _grad(fn, [0.0, 0.0, 0.0])
    assert np.array_equal(grad, [0.0, 0.0, 0.0])


def test_norm_subgradients_match_pytorch_values():
    # PyTorch (2.x): vector_norm([0, 1], 0.5) has gradient [0, 1]; ord 3 likewise
    np.testing.assert_array_equal(_grad(lambda x: mt.linalg.vector_norm(x, 0.5), [0.0, 1.0]),
                                  [0.0, 1.0])
    np.testing.assert_array_equal(_grad(lambda x: mt.linalg.vector_norm(x, 3), [0.0, 1.0]),
                                  [0.0, 1.0])
    # ord -1 with a zero element: the norm is 0 and so is its gradient
    np.testing.assert_array_equal(_grad(lambda x: mt.linalg.vector_norm(x, -1), [0.0, 1.0]),
                                  [0.0, 0.0])
    # the inf-norm shares the gradient among tied maxima (|-2| and 2)
    np.testing.assert_allclose(_grad(lambda x: x.norm(p=float("inf")), [-2.0, 1.0, 2.0]),
                               [-0.5, 0.0, 0.5])
    # ord 0 counts nonzeros; its gradient is zero
    x = mt.tensor([0.0, 1.5, -2.0], requires_grad=True)
    count = mt.linalg.vector_norm(x, 0)
    count.backward()
    assert count.item() == 2.0 and x.grad.tolist() == [0.0, 0.0, 0.0]


def test_normalize_and_cosine_similarity_of_zero_vectors_follow_pytorch():
    x = mt.zeros(2, 3, dtype=mt.float64, requires_grad=True)
    out = F.normalize(x)
    out.sum().backward()
    assert out.tolist() == [[0.0] * 3] * 2
    np.testing.assert_allclose(x.grad.numpy(), 1e12)  # 1 / eps, as PyTorch
    a = mt.zeros(1, 3, dtype=mt.float64, requires_grad=True)
    b = mt.tensor([[1.0, 2.0, 2.0]], dtype=mt.float64)
    sim = F.cosine_similarity(a, b)
    sim.backward()
    assert sim.item() == 0.0
    # PyTorch: the gradient flows through the unclamped norm (0 here): (b / |b|) / eps
    np.testing.assert_allclose(a.grad.numpy(), [[1 / 3e-8, 2 / 3e-8, 2 / 3e-8]])


def test_cumprod_and_prod_gradients_at_zeros():
    # d/dx_k sum(cumprod(x)) = sum_{i>=k} prod_{j<=i, j!=k} x_j
    x = [2.0, 0.0, 3.0, 4.0]
    np.testing.assert_array_equal(_grad(lambda t: t.cumprod(0), x), [1, 2 + 6 + 24, 0, 0])
    np.testing.assert_array_equal(_grad(lambda t: t.cumprod(0), [0.0, 0.0, 2.0]), [1, 0, 0])
    np.testing.assert_array_equal(_grad(lambda t: t.prod(), x), [0, 24, 0, 0])
    np.testing.assert_array_equal(_grad(lambda t: t.prod(), [0.0, 3.0, 0.0]), [0, 0, 0])
    np.testing.assert_array_equal(_grad(lambda t: t.prod(1), [[0.0, 2.0], [3.0, 4.0]]),
                                  [[2, 0], [4, 3]])
    rng = np.random.default_rng(0)
    values = rng.uniform(0.5, 1.5, size=(3, 5))
    values[0, 1] = values[1, 1] = values[1, 3] = values[2, 0] = 0.0
    for dim in (0, 1):
        assert gradcheck(lambda t, d=dim: t.cumprod(d) * mt.tensor(values),
                         mt.tensor(values, requires_grad=True))
        assert gradcheck(lambda t, d=dim: t.prod(d), mt.tensor(values, requires_grad=True))


def _hessian(fn, values):
    x = mt.tensor(values, dtype=mt.float64, requires_grad=True)
    (grad,) = mt.autograd.grad(fn(x), x, create_graph=True)
    rows = [mt.autograd.grad(grad[i], x, retain_graph=True, allow_unused=True)[0]
            for i in range(len(values))]
    return np.stack([np.zeros(len(values)) if r is None else r.numpy() for r in rows])


def test_second_derivatives_at_two_zeros_match_pytorch():
    # values computed with torch.autograd.functional.hessian (PyTorch 2.x)
    np.testing.assert_array_equal(_hessian(lambda t: t.cumprod(0).sum(), [0.0, 0.0, 2.0]),
                                  [[0, 3, 0], [3, 0, 0], [0, 0, 0]])
    np.testing.assert_array_equal(_hessian(lambda t: t.prod(), [0.0, 0.0, 2.0]),
                                  [[0, 2, 0], [2, 0, 0], [0, 0, 0]])
    np.testing.assert_array_equal(_hessian(lambda t: t.cumprod(0).sum(), [0.0, 3.0, 2.0]),
                                  [[0, 3, 3], [3, 0, 0], [3, 0, 0]])


def test_step_functions_have_zero_gradient_and_a_graph():
    x = mt.tensor([-1.5, -0.5, 0.0, 0.5, 2.5], requires_grad=True)
    for name in ("sign", "floor", "ceil", "round", "trunc"):
        out = getattr(x, name)()
        assert out.requires_grad
        out.sum().backward()
        assert x.grad.tolist() == [0.0] * 5, name
        x.grad = None
    with mt.no_grad():
        assert not x.floor().requires_grad


def test_hardtanh_elu_softplus_gradients_at_their_kinks_follow_pytorch():
    # hardtanh: 0 at and beyond the bounds, 1 strictly inside; nan passes
    np.testing.assert_array_equal(
        _grad(F.hardtanh, [-1.0, -0.5, 1.0, 2.0, np.nan]), [0, 1, 0, 0, 1])
    # clamp (unlike hardtanh) passes the gradient at its bounds, as PyTorch
    np.testing.assert_array_equal(_grad(lambda t: t.clamp(-1.0, 1.0), [-1.0, 1.0, 2.0]),
                                  [1, 1, 0])
    # elu: alpha * exp(0) at 0, 1 at nan (PyTorch's x <= 0 test)
    np.testing.assert_allclose(_grad(lambda t: F.elu(t, 2.0), [0.0, -1.0, 1.0, np.nan]),
                               [2.0, 2 * np.exp(-1.0), 1.0, 1.0])
    # softplus: sigmoid(beta x) below the threshold, 1 above; no overflow at 1e4
    np.testing.assert_allclose(_grad(F.softplus, [0.0, 1e4, -1e4]), [0.5, 1.0, 0.0])
    np.testing.assert_allclose(_grad(lambda t: F.softplus(t, beta=2.0, threshold=3.0),
                                     [1.0, 2.0]), [1 / (1 + np.exp(-2.0)), 1.0])
    # relu and maximum pass gradients at nan as PyTorch does
    np.testing.assert_array_equal(_grad(mt.relu, [np.nan, -1.0, 0.0, 1.0]), [1, 0, 0, 1])
    a = mt.tensor([np.nan, 1.0, 2.0], requires_grad=True)
    b = mt.tensor([1.0, np.nan, 2.0], requires_grad=True)
    mt.maximum(a, b).sum().backward()
    assert a.grad.tolist() == [1.0, 1.0, 0.5] and b.grad.tolist() == [1.0, 1.0, 0.5]
