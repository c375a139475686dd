"""``mt.backends.mps``: Apple's Metal backend is not part of minitorch."""


def is_available():
    """False: minitorch runs on the CPU only."""
    return False


def is_built():
    """False: minitorch is not built with MPS."""
    return False
