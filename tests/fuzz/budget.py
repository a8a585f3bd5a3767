"""How many examples each fuzz test runs: its fast sample, or the full budget under the
`fuzz` profile (registered in conftest.py)."""

from hypothesis import HealthCheck, settings

FUZZ_PROFILE = "fuzz"
FUZZ_EXAMPLES = 10_000


def budget(fast: int) -> settings:
    full = settings.get_current_profile_name() == FUZZ_PROFILE
    return settings(max_examples=FUZZ_EXAMPLES if full else fast, deadline=None,
                    # The fast sample is the same on every run, so `make test` never flickers.
                    derandomize=not full, database=None if not full else settings.default.database,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much,
                                           HealthCheck.data_too_large])
