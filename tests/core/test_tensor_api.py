"""The everyday tensor API of issue 10: values against NumPy/SciPy, PyTorch's result
dtypes, the device keywords, and errors that name the operation and the shapes
before anything changes. (Gradients: test_tensor_api_gradients.py.)"""
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from scipy.spatial import distance

import minitorch as mt
import minitorch.nn.functional as F
from minitorch import nn

small_floats = hnp.arrays(np.float64, hnp.array_shapes(min_dims=1, max_dims=3, max_side=4),
                          elements=st.floats(-5, 5, allow_nan=False, width=32))
small_ints = hnp.arrays(np.int64, hnp.array_shapes(min_dims=1, max_dims=3, max_side=5),
                        elements=st.integers(-3, 3))


# --- creation and the CPU device ---------------------------------------------------

CREATORS = {
    "zeros": lambda **kw: mt.zeros(2, 3, **kw),
    "ones": lambda **kw: mt.ones((2, 3), **kw),
    "empty": lambda **kw: mt.empty(2, 3, **kw),
    "full": lambda **kw: mt.full((2, 3), 1.5, **kw),
    "rand": lambda **kw: mt.rand(2, 3, **kw),
    "randn": lambda **kw: mt.randn(2, 3, **kw),
    "arange": lambda **kw: mt.arange(6.0, **kw),
    "linspace": lambda **kw: mt.linspace(0, 1, 5, **kw),
    "eye": lambda **kw: mt.eye(3, **kw),
    "zeros_like": lambda **kw: mt.zeros_like(mt.ones(2, 3), **kw),
    "ones_like": lambda **kw: mt.ones_like(mt.ones(2, 3), **kw),
    "empty_like": lambda **kw: mt.empty_like(mt.ones(2, 3), **kw),
    "full_like": lambda **kw: mt.full_like(mt.ones(2, 3), 7.0, **kw),
    "rand_like": lambda **kw: mt.rand_like(mt.ones(2, 3), **kw),
    "randn_like": lambda **kw: mt.randn_like(mt.ones(2, 3), **kw),
}
INTEGER_CREATORS = {
    "randint": lambda **kw: mt.randint(0, 5, (4,), **kw),
    "randperm": lambda **kw: mt.randperm(5, **kw),
    "randint_like": lambda **kw: mt.randint_like(mt.zeros(3, dtype=mt.int64), 4, **kw),
    "tensor": lambda **kw: mt.tensor([1, 2], **kw),
    "as_tensor": lambda **kw: mt.as_tensor([1, 2], **kw),
}


@pytest.mark.parametrize("name", sorted(CREATORS))
def test_float_creators_take_pytorchs_keywords(name):
    make = CREATORS[name]
    for device in ("cpu", "cpu:0", mt.device("cpu"), None):
        out = make(device=device, dtype=mt.float64, layout=mt.strided, requires_grad=True)
        assert out.dtype == mt.float64 and out.requires_grad and out.is_leaf
        assert out.device == mt.device("cpu") and not out.is_cuda
    with pytest.raises(RuntimeError, match=f"{name}.*CUDA"):
        make(device="cuda")
    with pytest.raises(RuntimeError, match=f"{name}.*CUDA"):
        make(device=mt.device("cuda", 1))
    with pytest.raises(RuntimeError, match=f"{name}.*layout"):
        make(layout="sparse_coo")


@pytest.mark.parametrize("name", sorted(INTEGER_CREATORS))
def test_integer_creators_take_the_device(name):
    make = INTEGER_CREATORS[name]
    assert make(device="cpu").dtype == mt.int64
    with pytest.raises(RuntimeError, match=f"{name}.*CUDA"):
        make(device="cuda:0")


@pytest.mark.parametrize("make", [lambda: mt.tensor([1.0], pin_memory=True),
                                  lambda: mt.empty(2, pin_memory=True),
                                  lambda: mt.rand(2, pin_memory=True),
                                  lambda: mt.randn(2, pin_memory=True),
                                  lambda: mt.randperm(3, pin_memory=True)])
def test_pin_memory_needs_an_accelerator_as_in_pytorch(make):
    with pytest.raises(RuntimeError, match="pin_memory"):
        make()


def test_like_functions_keep_shape_and_dtype_and_random_ones_need_floats():
    base = mt.ones(2, 3, dtype=mt.float64)
    for like in (mt.zeros_like, mt.ones_like, mt.empty_like, mt.rand_like, mt.randn_like):
        out = like(base)
        assert out.shape == (2, 3) and out.dtype == mt.float64
    assert mt.full_like(mt.tensor([1, 2]), 3).tolist() == [3, 3]
    assert mt.zeros_like(base, dtype=mt.int32).dtype == mt.int32
    values = mt.randint_like(mt.zeros(200, dtype=mt.int64), 2, 5).numpy()
    assert values.dtype == np.int64 and values.min() >= 2 and values.max() <= 4
    with pytest.raises(TypeError, match="rand_like: expected a floating point dtype, got "
                                        "minitorch.int64"):
        mt.rand_like(mt.tensor([1, 2]))
    with pytest.raises(TypeError, match="zeros_like: expected a Tensor"):
        mt.zeros_like(np.ones(3))


def test_as_tensor_shares_memory_like_pytorch():
    array = np.arange(3.0)
    shared = mt.as_tensor(array)
    array[0] = 7.0
    assert shared.tolist() == [7.0, 1.0, 2.0]
    copied = mt.as_tensor(array, dtype=mt.float32)
    array[1] = 9.0
    assert copied.tolist() == [7.0, 1.0, 2.0] and copied.dtype == mt.float32
    t = mt.ones(2)
    assert mt.as_tensor(t) is t and mt.as_tensor([1, 2]).dtype == mt.int64


def test_to_cpu_cuda_and_device_attributes():
    x = mt.ones(2, requires_grad=True)
    assert x.to("cpu") is x and x.to(mt.device("cpu")) is x and x.cpu() is x
    assert x.to("cpu", non_blocking=True) is x and x.to(x) is x
    copied = x.to("cpu", copy=True)
    assert copied is not x and copied.grad_fn is not None  # a differentiable copy
    y = x.to("cpu", mt.float64, True, True)  # PyTorch's positional non_blocking, copy
    assert y.dtype == mt.float64 and y.grad_fn is not None
    assert x.to(device="cpu", dtype=mt.float64).dtype == mt.float64
    assert (x.is_cuda, x.is_cpu, x.get_device(), x.layout) == (False, True, -1, mt.strided)
    assert x.element_size() == 4 and x.double().element_size() == 8
    assert mt.zeros(2, 3).numel() == 6 and mt.zeros(2, 3).dim() == 2
    assert x.is_floating_point() and not mt.tensor([1]).is_floating_point()
    assert (x > 0).type(mt.float32).dtype == mt.float32
    assert mt.tensor([1]).type() == "minitorch.LongTensor"
    assert x.type("torch.DoubleTensor").dtype == mt.float64
    for call in (lambda: x.to("cuda"), lambda: x.cuda(), lambda: x.cuda(1),
                 lambda: x.to("cuda:0", mt.float64), lambda: x.to(device="cuda")):
        with pytest.raises(RuntimeError, match="CUDA"):
            call()
    with pytest.raises(TypeError, match="to: expected a device, a dtype or a tensor, got 5.0"):
        x.to(5.0)
    assert x.dtype == mt.float32 and x.grad is None  # nothing changed


def test_dtype_conversion_methods_and_where_with_one_argument():
    x = mt.tensor([1.7, -2.0, 0.0])
    assert (x.half().dtype, x.int().dtype, x.short().dtype, x.char().dtype, x.byte().dtype) == (
        mt.float16, mt.int32, mt.int16, mt.int8, mt.uint8)
    assert x.int().tolist() == [1, -2, 0]
    rows, cols = mt.where(mt.tensor([[True, False], [False, True]]))
    assert rows.tolist() == [0, 1] and cols.tolist() == [0, 1] and rows.dtype == mt.int64
    with pytest.raises(TypeError, match="where: expected where"):
        mt.where(x > 0, x)


def test_new_tensor_functions_follow_pytorch():
    x = mt.ones(2, dtype=mt.float64)
    assert x.new_zeros(2, 3).dtype == mt.float64 and x.new_zeros((2, 3)).shape == (2, 3)
    assert x.new_ones(3).tolist() == [1.0] * 3
    assert x.new_full((2,), 4).tolist() == [4.0, 4.0] and x.new_full((2,), 4).dtype == mt.float64
    assert x.new_empty(4).shape == (4,)
    assert x.new_tensor([1, 2]).dtype == mt.float64
    assert x.new_zeros(2, dtype=mt.int64).dtype == mt.int64
    assert x.new_ones(2, requires_grad=True).requires_grad
    with pytest.raises(RuntimeError, match="new_zeros.*CUDA"):
        x.new_zeros(2, device="cuda")


# --- products ------------------------------------------------------------------

def test_products_against_numpy(rng):
    a, b, c = rng.standard_normal((3, 4)), rng.standard_normal((4, 2)), rng.standard_normal(2)
    A, B, C = mt.tensor(a), mt.tensor(b), mt.tensor(c)
    np.testing.assert_allclose(mt.mm(A, B).numpy(), a @ b, rtol=1e-6)
    np.testing.assert_allclose(A.mm(B).numpy(), a @ b, rtol=1e-6)
    batch1, batch2 = rng.standard_normal((2, 3, 4)), rng.standard_normal((2, 4, 5))
    np.testing.assert_allclose(mt.bmm(mt.tensor(batch1), mt.tensor(batch2)).numpy(),
                               batch1 @ batch2, rtol=1e-5)
    np.testing.assert_allclose(mt.addmm(C, A, B).numpy(), c + a @ b, rtol=1e-6)
    np.testing.assert_allclose(mt.addmm(C, A, B, beta=0.5, alpha=2).numpy(),
                               0.5 * c + 2 * a @ b, rtol=1e-6)
    assert mt.addmm(C, A, B).grad_fn is None  # no graph without grad
    nan_input = mt.full((3, 2), float("nan"))
    assert np.isfinite(mt.addmm(nan_input, A, B, beta=0).numpy()).all()  # ignored at beta=0
    np.testing.assert_allclose(mt.mv(A, mt.tensor(b[:, 0])).numpy(), a @ b[:, 0], rtol=1e-6)
    np.testing.assert_allclose(mt.dot(mt.tensor(c), mt.tensor(c)).item(), c @ c, rtol=1e-6)
    np.testing.assert_allclose(mt.outer(mt.tensor(c), mt.tensor(a[0])).numpy(),
                               np.outer(c, a[0]), rtol=1e-6)


EINSUMS = [("ij,jk->ik", [(3, 4), (4, 2)]), ("ij,jk", [(3, 4), (4, 2)]),
           ("ii->i", [(3, 3)]), ("ii", [(3, 3)]), ("ij->", [(2, 3)]), ("ij->ji", [(2, 3)]),
           ("bij,bjk->bik", [(2, 3, 4), (2, 4, 5)]), ("...ij,...jk", [(2, 1, 3, 4), (5, 4, 2)]),
           ("i,i->", [(4,), (4,)]), ("i,j->ij", [(3,), (2,)]), ("...j->...", [(2, 3, 4)]),
           ("ab,bc,cd->ad", [(2, 3), (3, 4), (4, 5)]), ("ij,ij->ij", [(1, 3), (4, 3)]),
           ("Ba,aB", [(2, 3), (3, 2)]), (" i j , j k -> i k ", [(3, 4), (4, 2)])]


@pytest.mark.parametrize("equation, shapes", EINSUMS)
def test_einsum_matches_numpy(equation, shapes, rng):
    arrays = [rng.standard_normal(s) for s in shapes]
    out = mt.einsum(equation, *[mt.tensor(a, dtype=mt.float64) for a in arrays])
    clean = equation.replace(" ", "")
    if "..." in clean and "->" in clean and not clean.split("->")[1]:
        pytest.skip("NumPy refuses to sum ellipsis dimensions")
    np.testing.assert_allclose(out.numpy(), np.einsum(clean, *arrays), rtol=1e-10)
    listed = mt.einsum(equation, [mt.tensor(a, dtype=mt.float64) for a in arrays])
    np.testing.assert_allclose(listed.numpy(), out.numpy())


def test_einsum_sums_ellipsis_dimensions_missing_from_the_output_as_pytorch():
    x = mt.arange(24.0).reshape(2, 3, 4)
    np.testing.assert_allclose(mt.einsum("...ij->ij", x).numpy(), x.numpy().sum(0))


# --- norms and distances ----------------------------------------------------------

@settings(max_examples=25, deadline=None)
@given(small_floats, st.sampled_from([1, 2, 3, 0.5, 0, math.inf, -math.inf, -1.5]))
def test_vector_norms_match_numpy(values, order):
    x = mt.tensor(values, dtype=mt.float64)
    flat = values.reshape(-1)
    with np.errstate(divide="ignore"):
        expected = np.linalg.norm(flat, order)
    np.testing.assert_allclose(mt.linalg.vector_norm(x, order).item(), expected, rtol=1e-10)
    np.testing.assert_allclose(x.norm(p=order).item(), expected, rtol=1e-10)
    if values.ndim >= 2:
        with np.errstate(divide="ignore"):
            along = np.linalg.norm(values, order, axis=1)
        np.testing.assert_allclose(x.norm(p=order, dim=1).numpy(), along, rtol=1e-10)


@pytest.mark.parametrize("order", ["fro", 1, -1, math.inf, -math.inf])
def test_matrix_norms_match_numpy(order, rng):
    a = rng.standard_normal((2, 3, 4))
    out = mt.linalg.matrix_norm(mt.tensor(a), order)
    expected = [np.linalg.norm(m, order) for m in a]
    np.testing.assert_allclose(out.numpy(), expected, rtol=1e-10)
    np.testing.assert_allclose(mt.linalg.norm(mt.tensor(a[0]), order).item(),
                               np.linalg.norm(a[0], order), rtol=1e-10)
    keep = mt.linalg.matrix_norm(mt.tensor(a), order, keepdim=True)
    assert keep.shape == (2, 1, 1)


def test_norm_forms_follow_pytorch(rng):
    a = rng.standard_normal((2, 3, 4))
    x = mt.tensor(a)
    np.testing.assert_allclose(x.norm().item(), np.sqrt((a ** 2).sum()), rtol=1e-10)
    np.testing.assert_allclose(mt.norm(x, dim=(1, 2)).numpy(),
                               np.sqrt((a ** 2).sum((1, 2))), rtol=1e-10)
    np.testing.assert_allclose(mt.linalg.norm(x).item(), np.sqrt((a ** 2).sum()), rtol=1e-10)
    np.testing.assert_allclose(mt.linalg.norm(x, dim=-1).numpy(), np.linalg.norm(a, axis=-1),
                               rtol=1e-10)
    assert x.norm(dim=1, keepdim=True).shape == (2, 1, 4)
    assert mt.tensor(a, dtype=mt.float32).norm(dtype=mt.float64).dtype == mt.float64


@pytest.mark.parametrize("p, metric", [(2.0, "euclidean"), (1.0, "cityblock"),
                                       (math.inf, "chebyshev"), (3.0, "minkowski")])
def test_cdist_matches_scipy(p, metric, rng):
    a, b = rng.standard_normal((5, 3)), rng.standard_normal((4, 3))
    kwargs = {"p": p} if metric == "minkowski" else {}
    np.testing.assert_allclose(mt.cdist(mt.tensor(a), mt.tensor(b), p=p).numpy(),
                               distance.cdist(a, b, metric, **kwargs), rtol=1e-10)
    batched = mt.cdist(mt.tensor(np.stack([a, a])), mt.tensor(b), p=p)
    assert batched.shape == (2, 5, 4)


def test_cosine_similarity_and_pairwise_distance_match_scipy(rng):
    a, b = rng.standard_normal((4, 3)), rng.standard_normal((4, 3))
    out = F.cosine_similarity(mt.tensor(a), mt.tensor(b))
    np.testing.assert_allclose(out.numpy(), [1 - distance.cosine(u, v) for u, v in zip(a, b)],
                               rtol=1e-10)
    np.testing.assert_allclose(nn.CosineSimilarity(dim=0)(mt.tensor(a), mt.tensor(b)).numpy(),
                               (a * b).sum(0) / np.linalg.norm(a, axis=0) /
                               np.linalg.norm(b, axis=0), rtol=1e-10)
    np.testing.assert_allclose(F.pairwise_distance(mt.tensor(a), mt.tensor(b)).numpy(),
                               np.linalg.norm(a - b + 1e-6, axis=1), rtol=1e-10)
    np.testing.assert_allclose(F.normalize(mt.tensor(a)).numpy(),
                               a / np.linalg.norm(a, axis=1, keepdims=True), rtol=1e-10)


# --- shapes ----------------------------------------------------------------------

def test_chunk_and_split_follow_pytorch():
    x = mt.arange(6.0).reshape(2, 3)
    assert [c.tolist() for c in x.chunk(4, 1)] == [[[0.0], [3.0]], [[1.0], [4.0]],
                                                   [[2.0], [5.0]]]
    assert [len(c) for c in mt.arange(5).chunk(3)] == [2, 2, 1]
    assert [len(c) for c in mt.arange(6).chunk(4)] == [2, 2, 2]  # fewer chunks, as PyTorch
    assert [c.shape for c in mt.arange(0).chunk(2)] == [(0,), (0,)]
    assert [c.tolist() for c in mt.split(mt.arange(5), 2)] == [[0, 1], [2, 3], [4]]
    assert [c.tolist() for c in mt.arange(5).split([1, 4])] == [[0], [1, 2, 3, 4]]
    pieces = x.split(1, dim=1)
    assert len(pieces) == 3 and pieces[2].tolist() == [[2.0], [5.0]]
    assert [t.tolist() for t in x.unbind(1)] == [[0.0, 3.0], [1.0, 4.0], [2.0, 5.0]]
    assert x.narrow(1, 1, 2).tolist() == [[1.0, 2.0], [4.0, 5.0]]
    assert x.select(1, -1).tolist() == [2.0, 5.0]
    pieces[0].fill_(9.0)  # chunks and splits are views, as in PyTorch
    assert x[0, 0].item() == 9.0


@settings(max_examples=25, deadline=None)
@given(small_floats, st.lists(st.integers(1, 3), min_size=3, max_size=4),
       st.integers(-6, 6))
def test_repeat_tile_flip_roll_match_numpy(values, reps, shift):
    x = mt.tensor(values)
    reps = reps[:max(values.ndim, len(reps))]
    if len(reps) >= values.ndim:
        np.testing.assert_array_equal(x.repeat(*reps).numpy(), np.tile(values, reps))
    np.testing.assert_array_equal(x.tile(tuple(reps[:1])).numpy(), np.tile(values, reps[:1]))
    np.testing.assert_array_equal(x.flip(0).numpy(), np.flip(values, 0))
    if values.ndim >= 2:
        np.testing.assert_array_equal(mt.flip(x, (0, -1)).numpy(), np.flip(values, (0, -1)))
    np.testing.assert_array_equal(x.roll(shift).numpy(), np.roll(values, shift))
    np.testing.assert_array_equal(x.roll(shift, -1).numpy(), np.roll(values, shift, -1))
    np.testing.assert_array_equal(x.diff().numpy(), np.diff(values))
    if values.ndim >= 2:
        np.testing.assert_array_equal(mt.roll(x, (shift, 1), (0, 1)).numpy(),
                                      np.roll(values, (shift, 1), (0, 1)))
        for k in (-1, 0, 2):
            np.testing.assert_array_equal(x.tril(k).numpy(), np.tril(values, k))
            np.testing.assert_array_equal(mt.triu(x, k).numpy(), np.triu(values, k))


def test_index_select_masked_fill_and_diff_follow_pytorch():
    x = mt.arange(6.0).reshape(2, 3)
    assert x.index_select(1, mt.tensor([2, 0, 2])).tolist() == [[2, 0, 2], [5, 3, 5]]
    assert mt.index_select(x, 0, mt.tensor([1])).tolist() == [[3, 4, 5]]
    mask = mt.tensor([True, False, True])
    assert x.masked_fill(mask, -1.0).tolist() == [[-1, 1, -1], [-1, 4, -1]]
    assert mt.arange(3).masked_fill(mask, 1.5).tolist() == [1, 1, 1]  # value takes int64
    assert x.masked_fill(mask, mt.tensor(2.0)).dtype == mt.float32
    y = x.clone()
    y.masked_fill_(x > 3, 0.0)
    assert y.tolist() == [[0, 1, 2], [3, 0, 0]]
    assert mt.tensor([1.0, 4.0, 9.0]).diff(prepend=mt.tensor([0.0])).tolist() == [1, 3, 5]
    assert mt.tensor([1, 4, 9]).diff(n=2).tolist() == [2]
    assert mt.tensor([1.0, 4.0]).diff(append=mt.tensor([0.0])).tolist() == [3.0, -4.0]
    assert mt.tensor([True, False, False]).diff().tolist() == [True, False]


# --- cumulative, sorting and counting ---------------------------------------------

@settings(max_examples=25, deadline=None)
@given(small_floats)
def test_cumulative_ops_and_prod_match_numpy(values):
    x = mt.tensor(values)
    for dim in range(values.ndim):
        np.testing.assert_allclose(x.cumsum(dim).numpy(), np.cumsum(values, dim), rtol=1e-10,
                                   atol=1e-10)
        np.testing.assert_allclose(mt.cumprod(x, dim).numpy(), np.cumprod(values, dim),
                                   rtol=1e-10)
        np.testing.assert_allclose(x.prod(dim).numpy(), np.prod(values, dim), rtol=1e-10)
        assert x.prod(dim, keepdim=True).shape == np.prod(values, dim, keepdims=True).shape
    np.testing.assert_allclose(x.prod().item(), np.prod(values), rtol=1e-10)


@settings(max_examples=30, deadline=None)
@given(small_ints, st.booleans())
def test_sort_argsort_topk_are_stable_and_match_numpy(values, descending):
    x = mt.tensor(values)
    dim = values.ndim - 1
    order = np.argsort(-values if descending else values, axis=dim, kind="stable")
    result = x.sort(descending=descending)
    np.testing.assert_array_equal(result.indices.numpy(), order)
    np.testing.assert_array_equal(result.values.numpy(), np.take_along_axis(values, order, dim))
    np.testing.assert_array_equal(mt.argsort(x, descending=descending).numpy(), order)
    k = min(2, values.shape[dim])
    top = mt.topk(x, k, largest=descending)
    np.testing.assert_array_equal(top.indices.numpy(), np.take(order, range(k), axis=dim))
    values_, indices = x.sort(0, stable=True)
    np.testing.assert_array_equal(indices.numpy(), np.argsort(values, 0, kind="stable"))
    assert result.indices.dtype == top.indices.dtype == mt.int64


def test_sorting_puts_nan_last_as_the_largest_value():
    x = mt.tensor([1.0, float("nan"), 3.0])
    assert x.sort(descending=True).indices.tolist() == [1, 2, 0]
    assert x.sort().indices.tolist() == [0, 2, 1]
    assert x.topk(1).indices.tolist() == [1]
    assert x.topk(1, largest=False).indices.tolist() == [0]


@settings(max_examples=25, deadline=None)
@given(small_ints)
def test_unique_bincount_nonzero_match_numpy(values):
    x = mt.tensor(values)
    uniq, inverse, counts = np.unique(values, return_inverse=True, return_counts=True)
    out, out_inverse, out_counts = mt.unique(x, return_inverse=True, return_counts=True)
    np.testing.assert_array_equal(out.numpy(), uniq)
    np.testing.assert_array_equal(out_inverse.numpy(), inverse.reshape(values.shape))
    np.testing.assert_array_equal(out_counts.numpy(), counts)
    assert out_inverse.dtype == out_counts.dtype == mt.int64
    np.testing.assert_array_equal(x.unique().numpy(), uniq)
    rows = mt.unique(x.reshape(values.shape[0], -1), dim=0, return_counts=True)
    np.testing.assert_array_equal(rows[0].numpy(),
                                  np.unique(values.reshape(values.shape[0], -1), axis=0))
    flat = np.abs(values.reshape(-1))
    np.testing.assert_array_equal(mt.bincount(mt.tensor(flat)).numpy(), np.bincount(flat))
    np.testing.assert_array_equal(x.nonzero().numpy(), np.argwhere(values))
    for got, expected in zip(x.nonzero(as_tuple=True), np.nonzero(values)):
        np.testing.assert_array_equal(got.numpy(), expected)
    assert x.count_nonzero().item() == np.count_nonzero(values)


def test_unique_and_bincount_details_follow_pytorch():
    rows = mt.tensor([[1, 2], [1, 2], [0, 1]])
    values, inverse = rows.unique(dim=0, return_inverse=True)
    assert values.tolist() == [[0, 1], [1, 2]] and inverse.tolist() == [1, 1, 0]
    nan = float("nan")
    assert mt.unique(mt.tensor([nan, 1.0, nan]), return_counts=True)[1].tolist() == [1, 1, 1]
    y = mt.tensor([0, 1, 1, 3])
    assert y.bincount(minlength=6).tolist() == [1, 2, 0, 1, 0, 0]
    weighted = y.bincount(mt.tensor([1.0, 2.0, 3.0, 4.0]))
    assert weighted.tolist() == [1, 5, 0, 4] and weighted.dtype == mt.float32
    assert y.bincount(mt.tensor([1, 2, 3, 4])).dtype == mt.float64
    assert mt.bincount(mt.tensor([], dtype=mt.int64), minlength=3).tolist() == [0, 0, 0]


# --- elementwise, logical --------------------------------------------------------

@settings(max_examples=25, deadline=None)
@given(small_floats)
def test_elementwise_functions_match_numpy(values):
    x = mt.tensor(values)
    positive = mt.tensor(np.abs(values) + 0.5)
    np.testing.assert_allclose(mt.log1p(positive).numpy(), np.log1p(np.abs(values) + 0.5))
    np.testing.assert_allclose(x.expm1().numpy(), np.expm1(values))
    np.testing.assert_allclose(positive.log2().numpy(), np.log2(np.abs(values) + 0.5))
    np.testing.assert_allclose(mt.log10(positive).numpy(), np.log10(np.abs(values) + 0.5))
    np.testing.assert_allclose(positive.rsqrt().numpy(), 1 / np.sqrt(np.abs(values) + 0.5))
    for name in ("sign", "floor", "ceil", "trunc", "round"):
        np.testing.assert_array_equal(getattr(mt, name)(x).numpy(), getattr(np, name)(values))
    np.testing.assert_array_equal(x.round(decimals=1).numpy(), np.round(values, 1))
    np.testing.assert_array_equal(x.clamp_min(0.5).numpy(), np.maximum(values, 0.5))
    np.testing.assert_array_equal(mt.clamp_max(x, 0.5).numpy(), np.minimum(values, 0.5))
    np.testing.assert_allclose(F.softplus(x).numpy(), np.logaddexp(0, values), rtol=1e-10)
    np.testing.assert_allclose(F.silu(x).numpy(), values / (1 + np.exp(-values)), rtol=1e-10)
    elu = np.where(values > 0, values, 0.7 * np.expm1(values))
    np.testing.assert_allclose(F.elu(x, 0.7).numpy(), elu, rtol=1e-10)
    np.testing.assert_allclose(F.hardtanh(x, -0.5, 2.0).numpy(), np.clip(values, -0.5, 2.0))
    np.testing.assert_allclose(F.relu6(x * 3).numpy(), np.clip(values * 3, 0, 6))
    shifted = -values - (-values).max(-1, keepdims=True)
    softmin = np.exp(shifted) / np.exp(shifted).sum(-1, keepdims=True)
    np.testing.assert_allclose(F.softmin(x, -1).numpy(), softmin, rtol=1e-10)


def test_selu_softplus_and_round_details():
    x = mt.tensor([-1.0, 0.0, 2.0], dtype=mt.float64)
    alpha, scale = 1.6732632423543772, 1.0507009873554805
    np.testing.assert_allclose(F.selu(x).numpy(), [scale * alpha * np.expm1(-1.0), 0.0, 2 * scale])
    np.testing.assert_allclose(nn.SELU()(x).numpy(), F.selu(x).numpy())
    assert F.softplus(mt.tensor([1e4])).item() == 1e4  # linear above the threshold
    np.testing.assert_allclose(F.softplus(mt.tensor([1.0]), beta=2.0).item(),
                               np.log1p(np.exp(2.0)) / 2, rtol=1e-6)
    assert mt.tensor([0.5, 1.5, 2.5, -0.5]).round().tolist() == [0.0, 2.0, 2.0, -0.0]
    np.testing.assert_allclose(mt.tensor([1.2345, 2.5e-3]).round(decimals=2).numpy(),
                               [1.23, 0.0], rtol=1e-6)
    assert mt.log1p(mt.tensor([1e-10], dtype=mt.float64)).item() == np.log1p(1e-10)
    assert mt.log2(mt.tensor([8.0])).item() == 3.0 and mt.log10(mt.tensor([1000.0])).item() == 3.0


def test_logical_and_comparison_functions():
    x = mt.tensor([[1.0, 0.0], [1.0, 1.0]])
    assert mt.any(x).item() and not mt.all(x).item()
    assert x.all(dim=1).tolist() == [False, True] and x.any(dim=(0, 1)).item()
    assert x.all(1, keepdim=True).shape == (2, 1)
    assert mt.equal(x, x.clone()) and not mt.equal(x, x[:1]) and not x.equal(x + 1)
    assert mt.equal(mt.tensor([1, 2]), mt.tensor([1.0, 2.0]))  # as PyTorch: values compare
    assert not mt.equal(mt.tensor([float("nan")]), mt.tensor([float("nan")]))
    y = x + 1e-9
    assert mt.isclose(x, y).all().item() and x.allclose(y)
    nan = mt.tensor([float("nan")])
    assert not mt.isclose(nan, nan).item() and mt.isclose(nan, nan, equal_nan=True).item()
    assert mt.isinf(mt.tensor([1.0, float("inf")])).tolist() == [False, True]


# --- result dtypes (PyTorch's) -------------------------------------------------------

def test_result_dtypes_follow_pytorch():
    booleans = mt.tensor([True, False, True])
    int32 = mt.tensor([2, 3], dtype=mt.int32)
    assert booleans.sum().dtype == mt.int64 and booleans.sum().item() == 2
    assert booleans.prod().dtype == mt.int64 and int32.prod().dtype == mt.int64
    assert int32.prod().item() == 6 and mt.tensor([2, 3]).prod(0).dtype == mt.int64
    assert int32.cumsum(0).dtype == mt.int64 and booleans.cumsum(0).tolist() == [1, 1, 2]
    assert int32.cumprod(0).dtype == mt.int64
    assert mt.tensor([1.0, 2.0]).cumsum(0, dtype=mt.float64).dtype == mt.float64
    assert mt.tensor([1, 2]).floor().dtype == mt.int64 and mt.tensor([1, 2]).round().tolist() == [1, 2]
    assert booleans.sign().dtype == mt.bool and mt.tensor([2, -3]).sign().tolist() == [1, -1]
    assert mt.tensor([1, 4]).log2().dtype == mt.float32
    assert mt.tensor([4]).rsqrt().dtype == mt.float32
    assert mt.tensor([4]).clamp_min(5.5).tolist() == [5.5]
    assert mt.tensor([3, 1]).argsort().dtype == mt.int64
    assert mt.tensor([[1, 0]]).nonzero().dtype == mt.int64
    assert mt.tensor([1, 2]).topk(1).values.dtype == mt.int64


# --- errors: named, and raised before anything changes ------------------------------

ERRORS = [
    (lambda: mt.mm(mt.ones(2, 3), mt.ones(4, 2)), ValueError, r"matmul: cannot multiply \(2, 3\) "
                                                                 r"by \(4, 2\)"),
    (lambda: mt.mm(mt.ones(2, 3, 1), mt.ones(1, 2)), RuntimeError,
     r"mm: self must be a 2-D tensor, got shape \(2, 3, 1\)"),
    (lambda: mt.mm(mt.ones(2, 3), mt.ones(3, 2, dtype=mt.float64)), RuntimeError,
     "mm: expected operands of one dtype"),
    (lambda: mt.bmm(mt.ones(2, 3, 4), mt.ones(3, 4, 2)), RuntimeError,
     r"bmm: batch sizes differ: \(2, 3, 4\) and \(3, 4, 2\)"),
    (lambda: mt.addmm(mt.ones(4), mt.ones(2, 3), mt.ones(3, 2)), RuntimeError,
     r"addmm: input of shape \(4,\) does not broadcast to the product's shape \(2, 2\)"),
    (lambda: mt.einsum("ij,jk", mt.ones(2, 3), mt.ones(4, 2)), ValueError,
     r"einsum: subscript 'j' has size 4 in operand 1 but 3 elsewhere in 'ij,jk' \(operand "
     r"shapes \(2, 3\), \(4, 2\)\)"),
    (lambda: mt.einsum("ij,jk", mt.ones(2, 3)), ValueError,
     "einsum: 2 operand subscripts for 1 tensors"),
    (lambda: mt.einsum("ijk,jk", mt.ones(2, 3), mt.ones(3, 3)), ValueError,
     r"einsum: operand 0 has 2 dimensions but subscripts 'ijk'"),
    (lambda: mt.einsum("ij->k", mt.ones(2, 3)), ValueError,
     "einsum: output subscript 'k' does not appear in the inputs"),
    (lambda: mt.einsum("i1", mt.ones(2, 3)), ValueError, "einsum: subscripts must be letters"),
    (lambda: mt.einsum("ij", np.ones((2, 3))), TypeError, "einsum: operand 0 must be a Tensor"),
    (lambda: mt.ones(3).norm(p="nuc"), RuntimeError,
     r"linalg.matrix_norm: the input must have at least 2 dimensions, got shape \(3,\)"),
    (lambda: mt.tensor([2, 3]).norm(), RuntimeError,
     "linalg.vector_norm: expected a floating point tensor as input, got minitorch.int64"),
    (lambda: mt.linalg.matrix_norm(mt.ones(2, 2), 2), NotImplementedError,
     "linalg.matrix_norm: ord=2 .* is not supported"),
    (lambda: mt.linalg.matrix_norm(mt.ones(2, 2), 3), RuntimeError,
     "linalg.matrix_norm: order 3 not supported"),
    (lambda: mt.linalg.vector_norm(mt.ones(2), "fro"), TypeError,
     "linalg.vector_norm: ord must be a number"),
    (lambda: mt.linalg.norm(mt.ones(2, 2, 2), 1), RuntimeError,
     r"linalg.norm: if dim is not specified but ord is, the input must be 1-D or 2-D; got "
     r"shape \(2, 2, 2\)"),
    (lambda: mt.ones(2, 3).norm(dim=2), IndexError,
     r"linalg.vector_norm: dimension 2 out of range for a tensor of shape \(2, 3\)"),
    (lambda: mt.cdist(mt.ones(3, 2), mt.ones(4, 3)), RuntimeError,
     r"cdist: x1 and x2 must have the same number of columns, got shapes \(3, 2\) and \(4, 3\)"),
    (lambda: mt.cdist(mt.ones(3, 2), mt.ones(4, 2), p=-1), RuntimeError,
     "cdist: only supports non-negative p values"),
    (lambda: mt.ones(4).chunk(0), RuntimeError, "chunk: expects chunks to be greater than 0"),
    (lambda: mt.ones(5).split([2, 2]), RuntimeError,
     r"split: split sizes \[2, 2\] must be non-negative and sum exactly to 5, the size of "
     r"dimension 0 of a tensor of shape \(5,\)"),
    (lambda: mt.ones(2, 3).split(2, dim=2), IndexError, r"split: dimension 2 out of range"),
    (lambda: mt.ones(2, 3).repeat(2), RuntimeError,
     r"repeat: the number of repeat dims \(1\) can not be smaller than the number of "
     r"dimensions of the tensor \(2, shape \(2, 3\)\)"),
    (lambda: mt.ones(2, 3).flip(0, 0), RuntimeError, "flip: dim 0 appears multiple times"),
    (lambda: mt.ones(2, 3).roll(1, (0, 1)), RuntimeError,
     r"roll: shifts and dimensions must align, got shifts \(1,\) and dims \(0, 1\)"),
    (lambda: mt.ones(3).tril(), RuntimeError,
     r"tril: input tensor must have at least 2 dimensions, got shape \(3,\)"),
    (lambda: mt.ones(2, 3).index_select(1, mt.tensor([3])), IndexError,
     r"index_select: index 3 is out of range for dimension 1 of size 3 \(tensor of shape "
     r"\(2, 3\)\)"),
    (lambda: mt.ones(2, 3).index_select(1, mt.tensor([[0]])), IndexError,
     "index_select: index must be a 1-D integer tensor"),
    (lambda: mt.ones(3).masked_fill(mt.tensor([1, 0, 1]), 0.0), RuntimeError,
     "masked_fill: only supports boolean masks, got a mask of dtype minitorch.int64"),
    (lambda: mt.ones(3).masked_fill(mt.tensor([True, False]), 0.0), RuntimeError,
     r"masked_fill: mask of shape \(2,\) does not broadcast with the tensor's shape \(3,\)"),
    (lambda: mt.ones(3).masked_fill(mt.tensor([True] * 3), mt.ones(2)), RuntimeError,
     r"masked_fill: only supports a 0-dimensional value tensor, got a tensor of shape \(2,\)"),
    (lambda: mt.ones(4).topk(5), RuntimeError,
     r"topk: k=5 is out of range for dimension -1 of size 4 \(tensor of shape \(4,\)\)"),
    (lambda: mt.ones(2, 3).sort(dim=3), IndexError, r"sort: dimension 3 out of range"),
    (lambda: mt.tensor([0, -1]).bincount(), RuntimeError,
     "bincount: only supports 1-d non-negative integral inputs"),
    (lambda: mt.tensor([[0, 1]]).bincount(), RuntimeError,
     r"bincount: only supports 1-d non-negative integral inputs, got shape \(1, 2\)"),
    (lambda: mt.tensor([0.0, 1.0]).bincount(), RuntimeError, "dtype minitorch.float32"),
    (lambda: mt.tensor([0, 1]).bincount(mt.ones(3)), RuntimeError,
     r"bincount: weights of shape \(3,\) must have the input's shape \(2,\)"),
    (lambda: mt.isclose(mt.tensor([1, 2]), mt.tensor([1.0, 2.0])), RuntimeError,
     "isclose: minitorch.float32 did not match minitorch.int64"),
    (lambda: mt.tensor([1]).round(decimals=1), TypeError,
     "round: decimals=1 needs a floating point tensor"),
    (lambda: mt.ones(()).diff(), RuntimeError, "diff: expects the input to be at least "
                                               "one-dimensional"),
    (lambda: mt.ones(2).narrow(0, 1, 2), IndexError,
     r"narrow: start 1 and length 2 exceed dimension 0 of size 2"),
]


@pytest.mark.parametrize("call, error, message", ERRORS,
                         ids=[f"error-{i}" for i in range(len(ERRORS))])
def test_errors_name_the_operation_and_the_shapes(call, error, message):
    with pytest.raises(error, match=message):
        call()


def test_failed_in_place_operations_change_nothing():
    x = mt.arange(6.0).reshape(2, 3)
    before = x.numpy().copy()
    version = x._version
    for call in (lambda: x.masked_fill_(mt.tensor([1, 0, 1]), 0.0),
                 lambda: x.masked_fill_(mt.tensor([True, False]), 0.0),
                 lambda: x.masked_fill_(mt.ones(3, 2, 3, dtype=mt.bool), 0.0)):
        with pytest.raises((RuntimeError, ValueError)):
            call()
    assert np.array_equal(x.numpy(), before) and x._version == version
    leaf = mt.ones(3, requires_grad=True)
    with pytest.raises(RuntimeError, match="in-place operation on a leaf"):
        leaf.masked_fill_(mt.tensor([True, False, True]), 0.0)
    assert leaf.tolist() == [1.0, 1.0, 1.0]


def test_module_namespace_has_the_functions():
    for name in ("mm", "bmm", "addmm", "einsum", "norm", "cdist", "chunk", "split", "tile",
                 "flip", "roll", "tril", "triu", "index_select", "masked_fill", "cumsum",
                 "cumprod", "prod", "topk", "sort", "argsort", "unique", "bincount",
                 "nonzero", "any", "all", "equal", "isclose", "diff", "log1p", "expm1", "log2",
                 "log10", "rsqrt", "reciprocal", "sign", "floor", "ceil", "round", "trunc",
                 "clamp_min", "clamp_max"):
        assert callable(getattr(mt, name)), name
    for name in ("norm", "vector_norm", "matrix_norm"):
        assert callable(getattr(mt.linalg, name)), name
    for name in ("pad", "normalize", "cosine_similarity", "softplus", "silu", "elu", "selu",
                 "hardtanh", "softmin"):
        assert callable(getattr(F, name)), name
