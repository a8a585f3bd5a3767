"""The fuzz budget: `make fuzz` runs `pytest tests/fuzz --hypothesis-profile=fuzz` (10,000
examples per parser); plain pytest runs each test's small, derandomized sample."""

from hypothesis import HealthCheck, settings

from .budget import FUZZ_EXAMPLES, FUZZ_PROFILE

settings.register_profile(FUZZ_PROFILE, max_examples=FUZZ_EXAMPLES, deadline=None,
                          suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much,
                                                 HealthCheck.data_too_large])
