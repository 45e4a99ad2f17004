"""Stats core: pure functions, numpy arrays in, frozen result dataclasses out."""
