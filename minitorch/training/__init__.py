"""Training as a library: the fit loop ``train.py`` runs, importable by your programs.

    from minitorch.training import Split, TrainConfig, fit
    result = fit(model, Split(X_train, y_train, X_test, y_test), TrainConfig(epochs=20))

``config`` (TrainConfig: a checked dataclass), ``data`` (Split), ``loop`` (fit, with
checkpoint/resume and the NaN guard), ``metrics`` (evaluate), ``checkpoint``,
``report`` (summary, JSON), ``plot`` (matplotlib figures), ``memory`` (will it fit?),
``cli`` (the command-line pieces train.py is made of).
"""
from .checkpoint import (CHECKPOINT_FORMAT, CheckpointError, EncodedHistory, decode_history,
                         load_checkpoint, save_checkpoint)
from .config import MAX_SEED, Check, TrainConfig, option
from .data import Split
from .loop import Diverged, FitResult, check_epochs, evaluate_epoch, fit, train_epoch
from .memory import check_fits_in_memory
from .metrics import (HEADLINE, NonFinite, classification_metrics, default_loss, evaluate,
                      format_metrics, regression_metrics)
from .plot import PLOT_FORMATS, curve_style, plot_path, save_plot
from .report import comparison_table, finite_or_none, summary, write_json
