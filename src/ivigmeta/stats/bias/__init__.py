"""Small-study effects and publication bias: Egger regression, Begg rank correlation,
trim-and-fill and fail-safe N (metafor ``regtest``, ``ranktest``, ``trimfill``, ``fsn``)."""
