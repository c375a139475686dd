"""The backward engine: walk the graph from the outputs to the leaves.

The walk is iterative (no recursion limit on deep graphs). Every recorded
operation has a sequence number, larger than those of its inputs' operations;
taking nodes from a heap in decreasing order means a node runs only after all
its consumers have sent their gradients, so re-used tensors (``b = a + a``)
receive the sum of every path. Each node's gradient is dropped as soon as it is
consumed, and its saved tensors are freed unless the graph is retained.

Gradients flow as plain ndarrays, and a primitive's one derivative rule runs on
them directly (a user's ``Function`` gets them wrapped in Tensors). With
``create_graph=True`` they flow as Tensors through the same rules instead, with
grad mode on, so that the backward pass is itself recorded (higher-order
derivatives).

Gradient hooks (``Tensor.register_hook``) run on a node's incoming gradient
before its rule, and on a leaf's gradient before it is accumulated.
"""
import heapq

from ..backend import as_array, ndarray, xp
from ..tensor import Tensor, _make_tensor
from .function import Node, freed_graph_error
from .grad_mode import grad_state


def run_backward(roots, root_grads, retain_graph, create_graph, capture=None):
    """Backpropagate ``root_grads`` (Tensors) from the tensors ``roots``.

    Without ``capture``, gradients are accumulated into the ``.grad`` of the
    leaves. With ``capture`` (a dict ``id(leaf tensor or Node) -> slot``, used
    by ``autograd.grad``), they are returned as Tensors in a list by slot
    instead, and no ``.grad`` is touched.
    """
    as_value = _as_tensor if create_graph else _as_array
    captured = None if capture is None else [None] * len(set(capture.values()))
    buffers = {}
    handed = set()  # ids of the gradients given to leaves: a leaf must own its .grad
    for root, grad in zip(roots, root_grads):
        grad = as_value(grad)
        node = root.grad_fn
        if node is None:  # a leaf: its gradient is the seed itself
            _deliver_to_leaf(root, grad, grad, create_graph, capture, captured, handed)
        else:
            previous = buffers.get(node)
            buffers[node] = grad if previous is None else _add(previous, grad)

    # A node runs once every consumer has sent its gradient: consumers were recorded
    # later, so taking nodes in decreasing order of recording guarantees it.
    ready = [(-node.sequence, node) for node in buffers]
    heapq.heapify(ready)
    previous_mode = grad_state.enabled
    grad_state.enabled = create_graph
    try:
        while ready:
            node = heapq.heappop(ready)[1]
            if node.freed:
                raise freed_graph_error(node)
            grad = buffers.pop(node)
            if node.hooks:
                grad = _run_hooks(node.hooks, grad, create_graph, node)
            if node.retained is not None:
                _retain(node, grad)
            if capture is not None and id(node) in capture:
                slot = capture[id(node)]
                captured[slot] = grad if captured[slot] is None else _add(captured[slot], grad)
            fn = node.fn
            on_arrays = node.as_arrays = fn.rule_on_arrays and not create_graph
            if on_arrays:
                grads = fn.backward(node, grad)
                node.as_arrays = False  # (saved_tensors are Tensors again for anyone else)
            elif create_graph:
                grads = fn.backward(node, grad)
            else:  # a user's Function: its rule takes Tensors
                grads = fn.backward(node, _make_tensor(grad))
            if type(grads) is not tuple:
                grads = (grads,)
            if len(grads) != len(node.next):
                raise RuntimeError(
                    f"{node.name()}: backward returned {len(grads)} gradients for "
                    f"{len(node.next)} inputs of forward")
            if not retain_graph:
                node.release()
            for edge, input_grad in zip(node.next, grads):
                if edge is None or input_grad is None:
                    continue
                if type(input_grad) is not ndarray or create_graph:
                    input_grad = as_value(input_grad)
                if isinstance(edge, Node):
                    if input_grad.shape != edge.out_shape:
                        input_grad = _sum_to_shape(input_grad, edge.out_shape, node)
                    previous = buffers.get(edge)
                    if previous is None:
                        buffers[edge] = input_grad
                        heapq.heappush(ready, (-edge.sequence, edge))
                    else:
                        buffers[edge] = _add(previous, input_grad)
                else:
                    data = edge._data
                    if input_grad.shape != data.shape:
                        input_grad = _sum_to_shape(input_grad, data.shape, node)
                    if (edge._grad is None and capture is None and not create_graph
                            and input_grad is not grad and input_grad.base is None
                            and input_grad.dtype == data.dtype and edge._hooks is None
                            and id(input_grad) not in handed):
                        handed.add(id(input_grad))
                        edge._grad = _make_tensor(input_grad)  # the usual case, made short
                        # (shape and dtype are checked just above: no need for the setter)
                    else:
                        _deliver_to_leaf(edge, input_grad, grad, create_graph, capture,
                                         captured, handed)
    finally:
        grad_state.enabled = previous_mode
    if captured is not None:  # results the caller owns: never views or shared memory
        captured = [None if g is None else _owned_copy(g) for g in captured]
    return captured


def backward(tensors, grad_tensors=None, retain_graph=None, create_graph=False):
    """Accumulate gradients of ``tensors`` into the leaves' ``.grad`` (see Tensor.backward)."""
    if retain_graph is None:
        retain_graph = create_graph
    if (grad_tensors is None and type(tensors) is Tensor and tensors.grad_fn is not None
            and tensors._data.size == 1):  # the usual loss.backward(), made short
        run_backward((tensors,), (_ones_like(tensors),), retain_graph, create_graph)
        return
    roots, seeds = _roots_and_seeds(tensors, grad_tensors, "backward")
    run_backward(roots, seeds, retain_graph, create_graph)


def grad(outputs, inputs, grad_outputs=None, retain_graph=None, create_graph=False,
         allow_unused=False):
    """Gradients of ``outputs`` with respect to ``inputs``, returned as a tuple.

    Unlike ``backward`` it leaves every ``.grad`` untouched. With
    ``create_graph=True`` the results are themselves differentiable (for
    Hessian-vector products and other higher-order derivatives).
    """
    roots, seeds = _roots_and_seeds(outputs, grad_outputs, "grad")
    single = isinstance(inputs, Tensor)
    inputs = (inputs,) if single else tuple(inputs)
    capture = {}
    for slot, tensor in enumerate(inputs):
        if not isinstance(tensor, Tensor) or not tensor.requires_grad:
            raise RuntimeError(f"grad: input {slot} does not require grad")
        capture.setdefault(id(tensor.grad_fn or tensor), slot)
    if retain_graph is None:
        retain_graph = create_graph
    captured = run_backward(roots, seeds, retain_graph, create_graph, capture)
    results = []
    for slot, tensor in enumerate(inputs):
        value = captured[capture[id(tensor.grad_fn or tensor)]]
        if value is None and not allow_unused:
            raise RuntimeError(
                f"grad: input {slot} (shape {tuple(tensor.shape)}) was not used to compute "
                "the outputs; pass allow_unused=True to get None for it")
        results.append(value)
    return tuple(results)


def _roots_and_seeds(tensors, grad_tensors, where):
    """Check the outputs and build one seed gradient per output."""
    if isinstance(tensors, Tensor):
        tensors = (tensors,)
    tensors = tuple(tensors)
    if grad_tensors is not None and not isinstance(grad_tensors, (Tensor, list, tuple)):
        raise TypeError(f"{where}: gradient must be a Tensor (or a sequence of Tensors, one "
                        f"per output), got {type(grad_tensors).__name__}")
    if grad_tensors is None or isinstance(grad_tensors, Tensor):
        grad_tensors = (grad_tensors,) * len(tensors) if grad_tensors is None else (grad_tensors,)
    grad_tensors = tuple(grad_tensors)
    if len(grad_tensors) != len(tensors):
        raise ValueError(f"{where}: got {len(grad_tensors)} gradients for {len(tensors)} outputs")
    seeds = []
    for position, (tensor, seed) in enumerate(zip(tensors, grad_tensors)):
        if not tensor.requires_grad:
            raise RuntimeError(
                f"{where}: output {position} does not require grad and has no grad_fn "
                "(did you compute it under no_grad, or from tensors that do not require grad?)")
        if seed is None:
            if tensor._data.size != 1:
                raise RuntimeError(
                    f"{where}: grad can be implicitly created only for outputs with one "
                    f"element; output {position} has shape {tuple(tensor.shape)}: pass "
                    "gradient= with that shape")
            seed = _ones_like(tensor)
        elif not isinstance(seed, Tensor):
            raise TypeError(f"{where}: gradient {position} must be a Tensor or None, got "
                            f"{type(seed).__name__}")
        if seed.shape != tensor.shape:
            raise RuntimeError(
                f"{where}: gradient of shape {tuple(seed.shape)} does not match output "
                f"{position} of shape {tuple(tensor.shape)}")
        seeds.append(seed)
    return tensors, seeds


def _ones_like(tensor):
    """The seed gradient d(tensor)/d(tensor) of a one-element tensor."""
    return _make_tensor(xp.array(1, dtype=tensor.dtype).reshape(tensor.shape))


def _sum_to_shape(grad, shape, node):
    """Sum a gradient (array or Tensor) over the axes broadcasting added, to ``shape``."""
    leading, kept = _unbroadcast_axes(grad.shape, shape)
    if leading < 0:
        raise RuntimeError(
            f"{node.name()}: backward returned a gradient of shape {tuple(grad.shape)} "
            f"for an input of shape {shape}")
    summed = tuple(range(leading))
    if not isinstance(grad, Tensor):
        if leading:
            grad = as_array(grad.sum(axis=summed))  # a 0-d result stays an array
        if kept:
            grad = grad.sum(axis=kept, keepdims=True)
    else:
        if leading:
            grad = grad.sum(summed)
        if kept:
            grad = grad.sum(kept, keepdim=True)
    if grad.shape != shape:
        raise RuntimeError(
            f"{node.name()}: backward returned a gradient of shape {tuple(grad.shape)} "
            f"for an input of shape {shape}")
    return grad


def _unbroadcast_axes(grad_shape, shape):
    """Axes to sum a gradient of ``grad_shape`` over so it matches ``shape``.

    Returns ``(leading, kept)``: ``leading`` counts the extra leading axes that
    broadcasting added; ``kept`` lists the axes (after those) where ``shape`` has
    size 1 but the gradient does not.
    """
    leading = len(grad_shape) - len(shape)
    kept = tuple(
        i for i, n in enumerate(shape) if n == 1 and grad_shape[leading + i] != 1
    )
    return leading, kept


def _deliver_to_leaf(leaf, grad, node_grad, create_graph, capture, captured, handed):
    """Add ``grad`` to ``leaf.grad`` (or to its capture slot for ``autograd.grad``).

    A leaf's first gradient becomes its ``.grad`` without a copy only when nothing
    else holds that array: not the node's own incoming gradient (``Add`` passes it
    through), not a view, and not an array already given to another leaf
    (``handed``: a rule may return one array for two inputs)."""
    if leaf._hooks:
        grad = _run_hooks(leaf._hooks, grad, create_graph, leaf)
    if capture is not None:
        slot = capture.get(id(leaf))
        if slot is not None:
            captured[slot] = grad if captured[slot] is None else _add(captured[slot], grad)
        return
    if grad.dtype != leaf._data.dtype:  # a float32 leaf gets a float32 gradient
        grad = grad.to(leaf._data.dtype) if create_graph else grad.astype(leaf._data.dtype)
    current = leaf.grad
    if create_graph:
        if current is None and (grad is node_grad or grad._data.base is not None
                                or id(grad) in handed):
            grad = grad.clone()  # the same rule as below, but recorded
        handed.add(id(grad))
        leaf.grad = grad if current is None else current + grad
    elif current is None:
        # The leaf must own its gradient: a pass-through (``Add`` gives the same
        # array to both inputs) or a view would share another tensor's memory.
        if grad is node_grad or grad.base is not None or id(grad) in handed:
            grad = grad.copy()
        handed.add(id(grad))
        leaf.grad = _make_tensor(grad)
    elif current.requires_grad:
        leaf.grad = current + _make_tensor(grad)
    else:
        current._data += grad


def _run_hooks(hooks, grad, create_graph, owner):
    """Call each hook on the gradient (as a Tensor); a returned Tensor replaces it."""
    for hook in list(hooks.values()):
        result = hook(grad if create_graph else _make_tensor(grad))
        if result is None:
            continue
        if not isinstance(result, Tensor):
            raise TypeError(f"hook: a gradient hook must return a Tensor or None, got "
                            f"{type(result).__name__}")
        if result.shape != grad.shape:
            raise RuntimeError(f"hook: the hook returned a gradient of shape "
                               f"{tuple(result.shape)} for a gradient of shape "
                               f"{tuple(grad.shape)}")
        grad = result if create_graph else result._data
    return grad


def _retain(node, grad):
    """Set ``.grad`` on the non-leaf tensor that asked for ``retain_grad()``."""
    tensor = node.retained()
    if tensor is not None:
        grad = _owned_copy(grad)
        tensor.grad = grad if tensor.grad is None else tensor.grad + grad


def _add(total, grad):
    """Sum of two gradients (arrays or Tensors); 0-d arrays stay arrays, not NumPy scalars."""
    total = total + grad
    return xp.asarray(total) if isinstance(total, xp.generic) else total


def _owned_copy(grad):
    """A Tensor with its own memory holding ``grad`` (an array, or a recorded Tensor)."""
    if isinstance(grad, Tensor):
        return grad.clone()
    return _make_tensor(grad.copy())


def _as_array(value):
    """A gradient as an ndarray (backward rules may return Tensors or NumPy scalars)."""
    if type(value) is ndarray:
        return value
    if isinstance(value, Tensor):
        return value._data
    if isinstance(value, (xp.generic, ndarray)):
        return as_array(value)  # (an ndarray subclass, e.g. mt.compile's, stays itself)
    raise TypeError(f"backward must return Tensors, arrays or None, got {type(value).__name__}")


def _as_tensor(value):
    """A gradient as a Tensor (for create_graph, where the backward pass is recorded)."""
    if isinstance(value, Tensor):
        return value
    return _make_tensor(_as_array(value))


