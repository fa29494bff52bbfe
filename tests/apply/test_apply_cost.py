"""``plan`` says what the apply will cost in requests and in the key's hourly budget."""

from __future__ import annotations

import re
from pathlib import Path

from ascsync.sandbox import Sandbox
from tests.apply.conftest import fast_settings, invoke

API = ("/v1/", "/v2/", "/v3/")


def test_plan_states_the_apply_cost_and_apply_stays_close_to_it(example: Path) -> None:
    with Sandbox(seed="demo", settings=fast_settings(), rate_limit_per_hour=600) as sandbox:
        plan = invoke(sandbox, "plan", str(example))
        found = re.search(
            r"Applying it costs ≈ (\d+) API requests ≈ (\d+) min of this key's hourly "
            r"budget \(600/h\)\.",
            plan.output,
        )
        assert found, plan.output
        estimate, minutes = int(found.group(1)), int(found.group(2))
        assert minutes == round(estimate / 600 * 60)
        mark = len(sandbox.journal)
        applied = invoke(sandbox, "apply", str(example), "--auto-approve", "--allow-delete")
        assert applied.exit_code == 0, applied.output
        spent = [e for e in list(sandbox.journal)[mark:] if e.path.startswith(API)]
        assert 0.8 * len(spent) <= estimate <= 1.25 * len(spent), (estimate, len(spent))


def test_no_cost_line_without_changes(example: Path) -> None:
    with Sandbox(seed="demo", settings=fast_settings()) as sandbox:
        invoke(sandbox, "apply", str(example), "--auto-approve", "--allow-delete")
        again = invoke(sandbox, "plan", str(example))
        assert again.output.startswith("No changes.")
        assert "Applying it costs" not in again.output
