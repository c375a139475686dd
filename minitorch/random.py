"""Random number generation: ``Generator``, the default one, ``manual_seed``."""
import weakref

from .backend import xp

generators = weakref.WeakSet()
"""Every live ``Generator`` (``mt.compile`` records the draws of each)."""


class Generator:
    """A seeded source of random numbers (wraps NumPy's PCG64 bit generator).

    ``numpy_rng`` is the underlying ``numpy.random.Generator`` for bulk sampling.
    """

    def __init__(self, seed=None):
        generators.add(self)
        self.manual_seed(xp.random.SeedSequence().entropy if seed is None else seed)

    def manual_seed(self, seed):
        """Restart the stream from ``seed``; returns the generator."""
        self._seed = int(seed)
        self.numpy_rng = xp.random.Generator(xp.random.PCG64(self._seed))
        return self

    def initial_seed(self):
        return self._seed

    def get_state(self):
        """The full state as plain values (JSON-able ints and strings)."""
        state = self.numpy_rng.bit_generator.state
        return {"bit_generator": state["bit_generator"],
                "state": int(state["state"]["state"]), "inc": int(state["state"]["inc"]),
                "has_uint32": int(state["has_uint32"]), "uinteger": int(state["uinteger"]),
                "seed": self._seed}

    def set_state(self, state):
        """Restore a state returned by ``get_state``."""
        self._seed = int(state["seed"])
        self.numpy_rng.bit_generator.state = {
            "bit_generator": state["bit_generator"],
            "state": {"state": int(state["state"]), "inc": int(state["inc"])},
            "has_uint32": int(state["has_uint32"]), "uinteger": int(state["uinteger"])}
        return self


default_generator = Generator(0)


def manual_seed(seed):
    """Seed the default generator (weights init, dropout, shuffling, rand/randn)."""
    return default_generator.manual_seed(seed)


def seed():
    """Seed the default generator from fresh entropy; returns the seed."""
    value = int(xp.random.SeedSequence().entropy % (2 ** 63))
    default_generator.manual_seed(value)
    return value


def initial_seed():
    return default_generator.initial_seed()


def get_rng_state():
    return default_generator.get_state()


def set_rng_state(state):
    default_generator.set_state(state)


def generator_or_default(generator):
    return default_generator if generator is None else generator
