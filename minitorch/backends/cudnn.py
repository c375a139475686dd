"""``mt.backends.cudnn``: flags that PyTorch code sets; without CUDA they do nothing."""

enabled = True
deterministic = False
benchmark = False


def is_available():
    """False: minitorch has no CUDA, hence no cuDNN."""
    return False


def version():
    """None: cuDNN is not present (as PyTorch answers without it)."""
    return None
