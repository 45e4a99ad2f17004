"""Stats core: pure functions, numpy/scipy.special in, frozen result dataclasses out."""
