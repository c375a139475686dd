"""The parts of a training command line that do not depend on its data or models.

``train.py`` is built from these; a script of your own can be too:

* ``add_config_arguments`` turns ``TrainConfig`` fields (or those of a subclass) into
  options, checked as the fields are; ``given`` collects what the user set;
  ``resume_config`` merges it into a checkpoint's config;
* ``add_output_arguments`` and ``check_outputs``: --json/--save/--resume/--plot, with
  every path checked before training (not empty, folder writable, no two on one file);
* ``finish`` reports a ``FitResult`` and writes the outputs (``write_output``: a failure
  is one message naming the file and what was kept) and gives the exit code;
* ``StopOnSigint`` (first Ctrl-C: stop after this epoch) and ``run`` (no traceback for a
  second Ctrl-C or a closed stdout, with a message saying what was interrupted).
"""
from __future__ import annotations

import argparse
import dataclasses
import json
import os
import signal
import sys

from ..serialization import os_reason
from .config import TrainConfig
from .plot import PLOT_FORMATS, plot_path, save_plot
from .report import comparison_table, summary, write_json

EXIT_CODES = {"completed": 0, "diverged": 1, "failed": 1, "interrupted": 130}


def flag(name: str) -> str:
    return "--" + name.replace("_", "-")


def parse_with(check):
    """An argparse ``type`` for values that ``check`` (a ``config.Check``) accepts."""
    def parse(text):
        try:
            value = check.kind(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected {check.what}, got {text!r}") from None
        if not check.test(value):
            raise argparse.ArgumentTypeError(f"expected {check.what}, got {text!r}")
        return value
    return parse


def add_config_arguments(parser, config_class=TrainConfig, groups=None, describe=None) -> dict:
    """Add an option per field of ``config_class``, typed and checked by the field's
    ``Check``: all fields, or those of ``groups`` ({title: "field names"}), each group
    under its title; returns {title: argparse group}. Every default is None, so that
    ``given`` can tell what the user set; ``describe(name, default)`` writes the
    default's part of the help."""
    fields = {f.name: f for f in dataclasses.fields(config_class)}
    added = {}
    for title, names in (groups or {"options": list(fields)}).items():
        group = added[title] = parser.add_argument_group(title)
        for name in names.split() if isinstance(names, str) else names:
            f = fields[name]
            check, default = f.metadata["check"], f.default
            if isinstance(default, tuple):
                default = ",".join(map(str, default)) or "none"
            default_text = describe(name, default) if describe else f"(default: {default})"
            options = ({"choices": list(check.choices)} if check.choices
                       else {"type": parse_with(check)})
            group.add_argument(flag(name), help=f"{f.metadata['help']} {default_text}",
                               **options)
    return added


def given(args, names) -> dict:
    """The options among ``names`` the user set on the command line."""
    return {name: getattr(args, name) for name in names if getattr(args, name) is not None}


def resume_config(config_class, saved: dict, chosen: dict):
    """The checkpoint's config ``saved`` with the options ``chosen`` on the command line,
    which may only change the fields in ``config_class.RESUMABLE`` (ValueError names
    the option otherwise). A dict-valued field may be given in part."""
    config = json.loads(json.dumps(saved))              # a deep copy
    for key, value in chosen.items():
        value = json.loads(json.dumps(value))
        if key in config_class.RESUMABLE:
            config[key] = value
        elif isinstance(value, dict) and isinstance(config.get(key), dict):
            if any(config[key].get(k) != v for k, v in value.items()):
                raise ValueError(f"cannot change {key} parameters when resuming "
                                 f"(the checkpoint has {config[key]})")
        elif config.get(key) != value:
            raise ValueError(f"cannot change {flag(key)} when resuming (checkpoint: "
                             f"{config.get(key)!r}); only "
                             f"{', '.join(map(flag, config_class.RESUMABLE))} may change")
    return config_class.from_dict(config)


def add_output_arguments(parser, resumable=TrainConfig.RESUMABLE):
    """--quiet, --json, --save, --resume, --plot, --compare-sklearn; returns the group."""
    out = parser.add_argument_group("output")
    out.add_argument("--quiet", action="store_true", help="no progress bar, no per-epoch lines")
    out.add_argument("--json", metavar="PATH", help="write final metrics and full history as JSON")
    out.add_argument("--save", metavar="PATH", help="write a checkpoint (.npz) after every epoch")
    out.add_argument("--resume", metavar="PATH",
                     help="continue from a checkpoint (and keep saving to it unless --save); "
                          f"only {', '.join(map(flag, resumable))} may differ from it")
    out.add_argument("--plot", metavar="PATH",
                     help="write a figure: decision regions (2-D data) and loss/metric curves; "
                          "the suffix picks the format: "
                          f"{', '.join('.' + f for f in PLOT_FORMATS)} (none: .png is added)")
    out.add_argument("--compare-sklearn", action="store_true",
                     help="also fit scikit-learn's comparable model on the same split")
    return out


def check_writable(option: str, path: str) -> None:
    """Raise ValueError unless the file ``path`` can be written: its folder exists and is
    writable and it is new or a regular file (or a link to one), not a folder or a
    device such as /dev/null."""
    folder = os.path.dirname(os.path.abspath(path))
    if os.path.isdir(path):
        raise ValueError(f"{option} {path}: is a folder; give a file name")
    if os.path.exists(path) and not os.path.isfile(path):
        raise ValueError(f"{option} {path}: is not a regular file (a device, FIFO or socket); "
                         "give a file name")
    if not os.path.isdir(folder):
        raise ValueError(f"{option} {path}: the folder {folder} does not exist")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise ValueError(f"{option} {path}: the folder {folder} is not writable")


def check_outputs(args) -> str | None:
    """Check every path of --json/--plot/--save/--resume before anything is trained: none
    is empty, each can be written (--resume too, when it is also where checkpoints go)
    and no two outputs (nor an output and the checkpoint resumed from) name one file.
    Returns the file --plot writes (see ``plot_path``)."""
    paths = {"--json": args.json, "--plot": args.plot, "--save": args.save,
             "--resume": args.resume}
    for option, path in paths.items():
        if path is not None and not path.strip():
            raise ValueError(f"{option}: the path is empty (an unset shell variable?); "
                             "give a file name")
    plot = paths["--plot"] = plot_path(args.plot) if args.plot else None
    for option in ("--json", "--plot", "--save" if args.save else "--resume"):
        if paths[option]:
            check_writable(option, paths[option])
    seen = {}
    for option, path in paths.items():
        if not path:
            continue
        key = os.path.realpath(path)
        if key in seen and {seen[key], option} != {"--save", "--resume"}:
            raise ValueError(f"{seen[key]} and {option} both name the file {path}; one would "
                             "overwrite the other: give each its own path")
        seen.setdefault(key, option)
    return plot


def write_output(what: str, path: str, write, also: str = "") -> bool:
    """Call ``write()`` (which writes ``path`` atomically and returns None, or a message
    saying why it wrote nothing); report the outcome, a failure as one line naming the
    file, what was kept (and ``also``). False if nothing was written."""
    existed = os.path.exists(path)
    try:
        problem = write()
    except Exception as e:          # an output is an extra: report it, keep the others
        reason = os_reason(e)
        kept = f"the previous {path} is kept as it was" if existed else "no file was written"
        print(f"could not write the {what} {path} ({reason}); {kept}{also}", file=sys.stderr)
        return False
    if problem:
        print(problem, file=sys.stderr)
    elif what == "plot":
        print(f"plot written to {path}")
    return True


def check_given_apply(config, chosen: dict) -> None:
    """Raise ValueError for an option the user set that ``config`` would ignore."""
    if config.optimizer != "sgd" and "momentum" in chosen:
        raise ValueError(f"--momentum applies to --optimizer sgd only, not {config.optimizer!r}")


def finish(result, args, plot: str | None, sklearn: dict | None = None) -> int:
    """Report ``result`` (why it stopped, its summary, the comparison with ``sklearn``),
    write --plot and --json, and return the exit code: 0, or 1 (diverged, a checkpoint or
    an output could not be written), or 130 (interrupted)."""
    stage("writing the outputs", "each file already written is complete")
    if result.message:
        print(result.message, file=sys.stderr)
    print(summary(result))
    payload = result.to_json()
    if sklearn is not None:
        payload["sklearn"] = sklearn
        print(comparison_table(result, sklearn))
    checkpoint = args.save or args.resume
    also = (f"; the checkpoint {checkpoint} (epoch {result.final['epoch']}) is intact"
            if checkpoint and result.status in ("completed", "interrupted") and result.final
            else "")
    written = True
    if plot and result.final is not None:
        written = write_output("plot", plot, lambda: save_plot(plot, result), also)
    if args.json:
        written = write_output("JSON file", args.json,
                               lambda: write_json(args.json, payload), also) and written
    code = EXIT_CODES[result.status]
    return code if code or written else 1


# -------------------------------------------------------------- Ctrl-C, closed stdout

_stage = {"doing": "starting", "left": "nothing was trained or written", "stopping": False}


def stage(doing: str, left: str) -> None:
    """Say what the program does now and what an interruption would leave, for the
    message ``run`` prints on Ctrl-C."""
    _stage.update(doing=doing, left=left, stopping=False)


class StopOnSigint:
    """First Ctrl-C: finish the current epoch, save, then stop. Second: abort at once."""

    def __init__(self):
        self.requested = False

    def __call__(self) -> bool:
        return self.requested

    def __enter__(self):
        stage("training", "checkpoints already written are intact")
        self._previous = signal.signal(signal.SIGINT, self._handle)
        return self

    def __exit__(self, *exc):
        signal.signal(signal.SIGINT, self._previous)

    def _handle(self, signum, frame):
        self.requested = _stage["stopping"] = True
        signal.signal(signal.SIGINT, signal.default_int_handler)
        print("\nCtrl-C: stopping after this epoch (press again to abort now)", file=sys.stderr)


def run(main, argv=None) -> int:
    """``main(argv)`` for the command line: Ctrl-C (outside ``StopOnSigint``, or a second
    one inside it) or a closed stdout (``| head``) ends the program quietly, without a
    traceback, whether or not stdout is buffered."""
    stage("starting", "nothing was trained or written")
    try:
        code = main(argv)
        sys.stdout.flush()          # a buffered stdout fails here, not at exit
        return code
    except KeyboardInterrupt:
        how = "second Ctrl-C" if _stage["stopping"] else "Ctrl-C"
        print(f"\naborted ({how}) while {_stage['doing']}; {_stage['left']}", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # Python flushes stdout once more at exit; send that to devnull so it cannot fail.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 141                    # 128 + SIGPIPE, as a shell reports `yes | head -1`

