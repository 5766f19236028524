"""The JavaScript library's seeded generator (lib/random.js), number for number.

Used where the Python side must make the same choices as the JS side from the same seed: the
train/test split of a TSV file and the training shuffle. (Weights come from the C core's
splitmix64, reproduced in model.py.)
"""

_M32 = 0xFFFFFFFF


def _imul(a, b):
    return (a * b) & _M32


class Random:
    """createRandom(seed) of lib/random.js: floats in [0, 1) from a 32-bit seed."""

    def __init__(self, seed):
        if not isinstance(seed, int) or isinstance(seed, bool):
            raise TypeError(f"seed must be an integer, got {seed!r}")
        self._state = seed & _M32

    def state(self):
        """The generator's state (a uint32): Random(state) goes on with the same numbers."""
        return self._state

    def next(self):
        self._state = (self._state + 0x9E3779B9) & _M32
        z = self._state
        z = _imul(z ^ (z >> 16), 0x85EBCA6B)
        z = _imul(z ^ (z >> 13), 0xC2B2AE35)
        z ^= z >> 16
        return z / 4294967296

    def int(self, n):
        return int(self.next() * n)

    def shuffle(self, items):
        """Fisher-Yates in place, the same swaps as the JS shuffle; returns the list."""
        for i in range(len(items) - 1, 0, -1):
            j = int(self.next() * (i + 1))
            items[i], items[j] = items[j], items[i]
        return items
