"""Shared pytest set-up: hypothesis profiles.

`ci` (the default) is reproducible: derandomized, a bounded number of examples, no deadline
(a shared CI machine has noisy timings). `dev` explores more: HYPOTHESIS_PROFILE=dev pytest.
"""

import os

from hypothesis import HealthCheck, settings

settings.register_profile(
    "ci",
    derandomize=True,
    max_examples=40,
    deadline=None,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
settings.register_profile("dev", max_examples=300, deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))
