"""``mt.save`` / ``mt.load``: state dicts as .npz files, never with pickle.

A saved object is a tree of dicts, lists, tuples, None, bools, ints, floats,
strings, Tensors and ndarrays (a model's or an optimizer's state dict). Each
array is stored as one .npz entry (named "0", "1", ...); the tree itself is
JSON, with every array replaced by a reference to its entry, stored as the
uint8 entry ``__minitorch__``. Loading uses ``allow_pickle=False``, so a file
cannot run code. Saving to a path writes a temporary file in the same folder and
renames it over the target, so a crash mid-save leaves the previous file intact.
"""
import json
import os
import zipfile

from .creation import from_numpy

from .backend import xp
from .tensor import Tensor

_META_KEY = "__minitorch__"
_FORMAT = "minitorch.save"
_VERSION = 1
_ARRAY_KINDS = "biufcUSmM"  # no object ('O') or structured ('V') arrays: they need pickle


def save(obj, f):
    """Write ``obj`` (e.g. ``model.state_dict()`` or ``optimizer.state_dict()``) to
    the path ``f`` as an .npz file (the name is used as given: no suffix is added),
    atomically. ``f`` may also be a binary file object (written directly)."""
    arrays = {}
    tree = _encode(obj, arrays, "obj")
    meta = json.dumps({"format": _FORMAT, "version": _VERSION, "tree": tree})
    arrays[_META_KEY] = xp.frombuffer(meta.encode("utf-8"), dtype=xp.uint8)
    if hasattr(f, "write"):
        xp.savez(f, **arrays)
        return
    atomic_write(f, lambda file: xp.savez(file, **arrays))


def load(f, map_location=None, weights_only=True):
    """Read an object written by ``save``. Tensors come back as Tensors, arrays as
    ndarrays. A missing file raises FileNotFoundError; a file that is not a
    complete .npz written by ``save`` (truncated, foreign, holding pickled or
    object data) raises ValueError naming it. ``map_location`` and
    ``weights_only`` are accepted for PyTorch compatibility and ignored."""
    name = repr(getattr(f, "name", f)) if hasattr(f, "read") else repr(os.fspath(f))
    if not hasattr(f, "read") and os.path.isdir(f):
        raise IsADirectoryError(f"mt.load: {name} is a directory, not a file written by mt.save")
    if not hasattr(f, "read") and not os.path.isfile(f):
        raise FileNotFoundError(f"mt.load: no such file: {name}")
    try:
        tree, arrays = _read(f)
        return _decode(tree, arrays)
    except _BadFile as error:
        raise ValueError(f"mt.load: cannot load {name}: {error}") from None
    except (ValueError, OSError, EOFError, KeyError, zipfile.BadZipFile,
            UnicodeDecodeError) as error:
        raise ValueError(f"mt.load: cannot load {name}: the file is damaged or not written "
                         f"by mt.save ({type(error).__name__}: {error})") from error


class _BadFile(Exception):
    """Why a file cannot be loaded; ``load`` adds its name."""


# --- writing ------------------------------------------------------------------------

def atomic_write(path, write):
    """Write a file at ``path`` so that a crash never leaves it half-written.

    ``write(file)`` writes the whole contents to a binary file object (a
    temporary file in the same folder); it is flushed to disk and renamed over
    ``path`` only when ``write`` returns. If anything fails, the temporary file is
    removed and the previous file at ``path`` is left as it was. Every file that
    minitorch or ``train.py`` writes goes through here.
    """
    path = os.fspath(path)
    folder = os.path.dirname(os.path.abspath(path))
    temporary = os.path.join(folder, f".{os.path.basename(path)}.{os.getpid()}."
                                     f"{os.urandom(4).hex()}.tmp")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    try:
        with os.fdopen(descriptor, "wb") as file:
            write(file)
            file.flush()
            os.fsync(file.fileno())
        os.replace(temporary, path)
    except BaseException:
        try:
            os.unlink(temporary)
        except FileNotFoundError:
            pass
        raise


def _add_array(array, arrays, where):
    if array.dtype.kind not in _ARRAY_KINDS:
        raise TypeError(f"mt.save: cannot save an array of dtype {array.dtype} at {where} "
                        "(object and structured arrays would need pickle)")
    key = str(len(arrays))
    arrays[key] = array
    return key


def _encode(value, arrays, where):
    """JSON for ``value``: plain values as themselves, containers and arrays as
    one-key objects {"dict"|"list"|"tuple"|"tensor"|"ndarray"|"scalar": ...}."""
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, Tensor):
        return {"tensor": _add_array(value._data, arrays, where),
                "requires_grad": bool(value.requires_grad)}
    if isinstance(value, xp.ndarray):
        return {"ndarray": _add_array(value, arrays, where)}
    if isinstance(value, xp.generic):
        return {"scalar": _add_array(xp.asarray(value), arrays, where)}
    if isinstance(value, dict):
        return {"dict": [[_encode_key(k, where), _encode(v, arrays, f"{where}[{k!r}]")]
                         for k, v in value.items()]}
    if isinstance(value, (list, tuple)):
        kind = "list" if isinstance(value, list) else "tuple"
        return {kind: [_encode(v, arrays, f"{where}[{i}]") for i, v in enumerate(value)]}
    hint = "; save its state_dict() instead" if hasattr(value, "state_dict") else ""
    raise TypeError(f"mt.save: cannot save an object of type {type(value).__name__} at "
                    f"{where}{hint} (supported: dict, list, tuple, None, bool, int, float, "
                    "str, Tensor, ndarray)")


def _encode_key(key, where):
    if key is None or isinstance(key, (bool, int, float, str)):
        return key
    raise TypeError(f"mt.save: cannot save a dict key of type {type(key).__name__} in {where} "
                    "(keys must be str, int, float, bool or None)")


# --- reading ------------------------------------------------------------------------

def _read(f):
    """The JSON tree and the arrays of an .npz file written by ``save``."""
    if not zipfile.is_zipfile(f):
        raise _BadFile("not an .npz (zip) archive; the file may be truncated or of "
                       "another format")
    if hasattr(f, "seek"):
        f.seek(0)
    with xp.load(f, allow_pickle=False) as npz:
        arrays = {}
        for key in npz.files:
            try:
                arrays[key] = npz[key]
            except ValueError as error:  # e.g. "Object arrays cannot be loaded ..."
                raise _BadFile(f"entry {key!r} cannot be read without pickle ({error})") \
                    from None
    if _META_KEY not in arrays:
        raise _BadFile(f"it is an .npz archive but not one written by mt.save "
                       f"(no {_META_KEY!r} entry; entries: {sorted(arrays)[:5]})")
    meta = json.loads(arrays.pop(_META_KEY).tobytes().decode("utf-8"))
    if not isinstance(meta, dict) or meta.get("format") != _FORMAT:
        raise _BadFile("its metadata entry is not minitorch's")
    if meta.get("version", 0) > _VERSION:
        raise _BadFile(f"it was written by a newer minitorch (format version "
                       f"{meta['version']}, this one reads {_VERSION})")
    return meta["tree"], arrays


def _decode(node, arrays):
    if not isinstance(node, dict):
        return node
    (kind, content), *rest = node.items()
    if kind == "dict":
        return {k: _decode(v, arrays) for k, v in content}
    if kind == "list":
        return [_decode(v, arrays) for v in content]
    if kind == "tuple":
        return tuple(_decode(v, arrays) for v in content)
    if kind in ("tensor", "ndarray", "scalar") and content in arrays:
        array = arrays[content]
        if kind == "ndarray":
            return array
        if kind == "scalar":
            return array[()]
        tensor = from_numpy(array)
        return tensor.requires_grad_() if node.get("requires_grad") else tensor
    raise _BadFile(f"its metadata is damaged (unknown entry {node!r:.80})")
