"""``mt.save`` / ``mt.load``: state dicts as .npz files, never with pickle.

A saved object is a tree of dicts, lists, tuples, None, bools, ints, floats,
strings, Tensors and ndarrays (a model's or an optimizer's state dict). Each
array is stored as one .npz entry (named "0", "1", ...); the tree itself is
JSON, with every array replaced by a reference to its entry, stored as the
uint8 entry ``__minitorch__``. Loading uses ``allow_pickle=False``, so a file
cannot run code, and its metadata is checked entry by entry (format, version,
nesting depth), so a crafted file gives a ValueError, never a crash. Saving to a
path goes through ``atomic_write``: a temporary file in the target's folder is
renamed over it, so a crash mid-save leaves the previous file intact.
"""
import errno
import json
import os
import re
import stat
import zipfile

from .creation import from_numpy

from .backend import xp
from .tensor import Tensor

_META_KEY = "__minitorch__"
_FORMAT = "minitorch.save"
_VERSION = 1
_ARRAY_KINDS = "biufcUSmM"  # no object ('O') or structured ('V') arrays: they need pickle
_MAX_DEPTH = 100  # containers inside containers; state dicts nest 2 to 4 deep


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
        if os.path.exists(f):
            raise ValueError(f"mt.load: cannot load {name}: it is not a regular file "
                             "(a FIFO, device or socket is never written by mt.save)")
        raise FileNotFoundError(f"mt.load: no such file: {name}")
    try:
        tree, arrays = _read(f)
        return _decode(tree, arrays)
    except _BadFile as error:
        raise ValueError(f"mt.load: cannot load {name}: {error}") from None
    except (ValueError, TypeError, OSError, EOFError, KeyError, zipfile.BadZipFile,
            UnicodeDecodeError) as error:
        raise ValueError(f"mt.load: cannot load {name}: the file is damaged or not written "
                         f"by mt.save ({type(error).__name__}: {error})") from error


class _BadFile(Exception):
    """Why a file cannot be loaded; ``load`` adds its name."""


# --- writing ------------------------------------------------------------------------

class NotARegularFileError(OSError):
    """``atomic_write`` was given a path that exists but is not a regular file (a
    FIFO, a device such as /dev/null, a socket): it refuses to replace it."""


_FILE_KINDS = ((stat.S_ISFIFO, "a FIFO (named pipe)"), (stat.S_ISCHR, "a character device"),
               (stat.S_ISBLK, "a block device"), (stat.S_ISSOCK, "a socket"))


def atomic_write(path, write):
    """Write the file at ``path`` so that a crash never leaves it half-written.

    ``write(file)`` writes the whole contents to a binary file object: a temporary
    file ``.NAME.PID.RANDOM.tmp`` in the target's folder, which is flushed to disk
    and renamed over the target only when ``write`` returns. Every file that
    minitorch or ``train.py`` writes goes through here.

    * A symlink is written through, as ``open()`` and ``torch.save`` do: the file
      it points to is replaced (atomically, in its own folder); the link stays.
    * Only a regular file or a new path is written. A directory raises
      IsADirectoryError; a FIFO, a character or block device (e.g. /dev/null) or a
      socket raises ``NotARegularFileError`` (an OSError) naming the path; an
      empty path raises ValueError. Nothing is written in those cases.
    * An existing file keeps its permission bits (and, where allowed, its owner);
      a new file gets ``0o666`` less the umask, as with ``open()``.
    * On any failure (an exception in ``write``, a full disk, a file-size limit,
      Ctrl-C) the temporary file is removed and the target is left as it was; an
      OSError is re-raised with the target's path in its message.
    * Leftovers of saves that were killed (SIGKILL, power loss) cannot be removed
      by them; the next save to the same target removes each ``.NAME.PID.*.tmp``
      whose process PID no longer runs, so they never pile up. (A temporary file
      of a live process, e.g. a concurrent save, is left alone.)

    Like ``open()`` followed by ``os.replace``, a hard-linked target is replaced
    by a new file: other links keep the old contents.
    """
    path = os.fspath(path)
    if isinstance(path, bytes):
        path = os.fsdecode(path)
    if path == "":
        raise ValueError("cannot write to an empty path '' (an unset variable?); give a file name")
    target = os.path.realpath(path)  # through symlinks, to the file they point to
    shown = repr(path) if target == os.path.abspath(path) else f"{path!r} (-> {target!r})"
    existing = _existing_regular_file(path, target, shown)
    folder, name = os.path.split(target)
    if not os.path.isdir(folder):
        raise FileNotFoundError(errno.ENOENT, f"cannot write {shown}: folder {folder!r} does "
                                              "not exist")
    _remove_stale_temporaries(folder, name)
    temporary = os.path.join(folder, f".{name}.{os.getpid()}.{os.urandom(4).hex()}.tmp")
    try:
        descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL,
                             0o600 if existing else 0o666)
    except OSError as error:
        raise _naming(error, shown, "cannot create a temporary file in its folder") from error
    try:
        with os.fdopen(descriptor, "wb") as file:
            if existing is not None:
                _copy_mode(file.fileno(), existing)
            write(file)
            file.flush()
            os.fsync(file.fileno())
        os.replace(temporary, target)
    except BaseException as error:
        try:
            os.unlink(temporary)
        except FileNotFoundError:
            pass
        if isinstance(error, OSError) and error.errno is not None:
            raise _naming(error, shown, "the previous file, if any, is left as it was") \
                from error
        raise
    _sync_folder(folder)


def _existing_regular_file(path, target, shown):
    """``os.stat`` of the target when it is an existing regular file, None for a new
    path; raises for anything else."""
    try:
        info = os.stat(target)
    except FileNotFoundError:
        return None
    except OSError as error:  # e.g. a symlink loop, or no permission to look
        raise _naming(error, shown, "cannot inspect it") from error
    if stat.S_ISREG(info.st_mode):
        return info
    if stat.S_ISDIR(info.st_mode):
        raise IsADirectoryError(errno.EISDIR, f"cannot write {shown}: it is a directory")
    kind = next((what for test, what in _FILE_KINDS if test(info.st_mode)), "not a regular file")
    raise NotARegularFileError(
        errno.EINVAL, f"cannot write {shown}: it is {kind}, not a regular file; minitorch "
                      "only writes regular files or new paths (and never replaces devices)")


def _copy_mode(descriptor, info):
    """Give the new file the old one's permission bits, and its owner when allowed."""
    try:
        os.fchown(descriptor, info.st_uid, info.st_gid)
    except OSError:  # not root and not the owner: the file becomes the writer's
        pass
    os.fchmod(descriptor, stat.S_IMODE(info.st_mode))


def _remove_stale_temporaries(folder, name):
    """Remove ``.NAME.PID.RANDOM.tmp`` files left in ``folder`` by saves whose
    process is gone (killed mid-save)."""
    pattern = re.compile(re.escape(f".{name}.") + r"(\d+)\.[0-9a-f]{8}\.tmp")
    try:
        entries = os.listdir(folder)
    except OSError:
        return
    for entry in entries:
        match = pattern.fullmatch(entry)
        if match and not _process_exists(int(match.group(1))):
            try:
                os.unlink(os.path.join(folder, entry))
            except OSError:
                pass


def _process_exists(pid):
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError, ValueError):
        return True  # it exists but belongs to someone else (or cannot be asked)
    return True


def _sync_folder(folder):
    """Make the rename durable (best effort: not every system can sync a folder)."""
    try:
        descriptor = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(descriptor)
    except OSError:
        pass
    finally:
        os.close(descriptor)


def os_reason(error):
    """The operating system's words for a failed write ("No space left on device"),
    also when ``atomic_write`` re-raised the error with a message naming the file."""
    cause = error.__cause__ if isinstance(error.__cause__, OSError) else error
    if isinstance(cause, OSError) and cause.strerror:
        return cause.strerror
    return f"{type(error).__name__}: {error}"


def _naming(error, shown, what):
    """The same kind of OSError (same errno), its message naming the file."""
    reason = error.strerror or str(error)
    return OSError(error.errno, f"cannot write {shown}: {reason}; {what}")


def _add_array(array, arrays, where):
    if array.dtype.kind not in _ARRAY_KINDS:
        raise TypeError(f"mt.save: cannot save an array of dtype {array.dtype} at {where} "
                        "(object and structured arrays would need pickle)")
    key = str(len(arrays))
    arrays[key] = array
    return key


def _encode(value, arrays, where, open_containers=None):
    """JSON for ``value``: plain values as themselves, containers and arrays as
    one-key objects {"dict"|"list"|"tuple"|"tensor"|"ndarray"|"scalar": ...}.
    ``open_containers`` holds the ids of the containers being encoded around
    ``value``: meeting one again means a reference cycle (ValueError)."""
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, Tensor):
        return {"tensor": _add_array(value._data, arrays, where),
                "requires_grad": bool(value.requires_grad)}
    if isinstance(value, xp.ndarray):
        return {"ndarray": _add_array(value, arrays, where)}
    if isinstance(value, xp.generic):
        return {"scalar": _add_array(xp.asarray(value), arrays, where)}
    if not isinstance(value, (dict, list, tuple)):
        hint = "; save its state_dict() instead" if hasattr(value, "state_dict") else ""
        raise TypeError(f"mt.save: cannot save an object of type {type(value).__name__} at "
                        f"{where}{hint} (supported: dict, list, tuple, None, bool, int, "
                        "float, str, Tensor, ndarray)")
    open_containers = [] if open_containers is None else open_containers
    if any(value is c for c in open_containers):
        raise ValueError(f"mt.save: {where} contains itself (a reference cycle), which "
                         "cannot be saved; save a copy without the cycle")
    if len(open_containers) >= _MAX_DEPTH:
        raise ValueError(f"mt.save: {where[:200]}... is nested more than {_MAX_DEPTH} "
                         "containers deep; mt.save stores state dicts, which are shallow")
    open_containers.append(value)
    try:
        if isinstance(value, dict):
            return {"dict": [[_encode_key(k, where),
                              _encode(v, arrays, f"{where}[{k!r}]", open_containers)]
                             for k, v in value.items()]}
        kind = "list" if isinstance(value, list) else "tuple"
        return {kind: [_encode(v, arrays, f"{where}[{i}]", open_containers)
                       for i, v in enumerate(value)]}
    finally:
        open_containers.pop()


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
            if not isinstance(arrays[key], xp.ndarray):  # a member that is not a .npy
                raise _BadFile(f"entry {key!r} is not a NumPy array")
    if _META_KEY not in arrays:
        raise _BadFile(f"it is an .npz archive but not one written by mt.save "
                       f"(no {_META_KEY!r} entry; entries: {sorted(arrays)[:5]})")
    meta = arrays.pop(_META_KEY)
    if meta.dtype != xp.uint8 or meta.ndim != 1:
        raise _BadFile(f"its metadata entry is not minitorch's (dtype {meta.dtype}, "
                       f"shape {meta.shape})")
    try:
        meta = json.loads(meta.tobytes().decode("utf-8"))
    except RecursionError:
        raise _BadFile(f"its metadata is nested too deeply (more than {_MAX_DEPTH} "
                       "containers are never written by mt.save)") from None
    except ValueError as error:  # includes UnicodeDecodeError and JSONDecodeError
        raise _BadFile(f"its metadata is not valid JSON ({error})") from None
    if not isinstance(meta, dict) or meta.get("format") != _FORMAT or "tree" not in meta:
        raise _BadFile("its metadata entry is not minitorch's")
    version = meta.get("version")
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise _BadFile(f"its metadata has an invalid format version {version!r:.40} (a "
                       f"positive integer is expected; this minitorch reads {_VERSION})")
    if version > _VERSION:
        raise _BadFile(f"it was written by a newer minitorch (format version "
                       f"{version}, this one reads {_VERSION})")
    return meta["tree"], arrays


def _decode(node, arrays, depth=0):
    """The value that ``_encode`` turned into ``node``; any node that ``_encode``
    cannot have written raises ``_BadFile``."""
    if node is None or isinstance(node, (bool, int, float, str)):
        return node
    if depth >= _MAX_DEPTH:
        raise _BadFile(f"its metadata is nested too deeply (more than {_MAX_DEPTH} "
                       "containers are never written by mt.save)")
    if not isinstance(node, dict) or not node:
        raise _BadFile(f"its metadata is damaged (unexpected entry {node!r:.80})")
    kind, content = next(iter(node.items()))
    if kind == "dict" and isinstance(content, list):
        result = {}
        for item in content:
            if not (isinstance(item, list) and len(item) == 2
                    and (item[0] is None or isinstance(item[0], (bool, int, float, str)))):
                raise _BadFile(f"its metadata is damaged (bad dict item {item!r:.80})")
            result[item[0]] = _decode(item[1], arrays, depth + 1)
        return result
    if kind in ("list", "tuple") and isinstance(content, list):
        items = [_decode(v, arrays, depth + 1) for v in content]
        return items if kind == "list" else tuple(items)
    if kind in ("tensor", "ndarray", "scalar") and isinstance(content, str) \
            and content in arrays:
        array = arrays[content]
        if kind == "ndarray":
            return array
        if kind == "scalar":
            return array[()]
        tensor = from_numpy(array)
        if node.get("requires_grad") is not True:
            return tensor
        if array.dtype.kind not in "fc":
            raise _BadFile(f"its metadata is damaged (an array of dtype {array.dtype} "
                           "marked as requiring grad)")
        return tensor.requires_grad_()
    raise _BadFile(f"its metadata is damaged (unknown entry {node!r:.80})")
