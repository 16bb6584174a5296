"""The file-descriptor check at start (issue 27): the soft limit is raised to the hard one, and
a limit still below what the settings admit is one clear JSON warning. The start-up path runs
in a subprocess with its own limits: nothing here changes this test process's limits."""

from __future__ import annotations

import json
import resource
import subprocess
import sys

from atlas_gateway.limits import POOLS, RESERVE, FdBudget, check_fd_limit

START = """
import resource, sys
from atlas_common.telemetry import setup_logging
from atlas_gateway.limits import apply_fd_limit
from atlas_gateway.settings import GatewaySettings
setup_logging("gateway", "INFO", json=True)
apply_fd_limit(GatewaySettings(max_open_streams=int(sys.argv[1]), max_in_flight=64))
print("SOFT", resource.getrlimit(resource.RLIMIT_NOFILE)[0], flush=True)
"""


def start_with_limits(
    soft: int, hard: int, streams: int = 4096
) -> tuple[int, list[dict[str, object]]]:
    """Run the gateway's start-up check under (soft, hard) with ``streams`` as the stream
    cap; the soft limit after it and the JSON log lines."""

    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))

    done = subprocess.run(
        [sys.executable, "-c", START, str(streams)],
        preexec_fn=limit,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    lines = done.stdout.splitlines() + done.stderr.splitlines()
    after = next(int(line.split()[1]) for line in lines if line.startswith("SOFT "))
    logs = [json.loads(line) for line in lines if line.startswith("{")]
    return after, logs


def test_the_check_names_the_numbers_and_the_settings_when_the_limit_is_low() -> None:
    need = FdBudget(streams=4096, in_flight=64)
    assert need.needed == 4096 + 64 + POOLS + RESERVE
    warning = check_fd_limit(1024, need)
    assert warning is not None
    assert "1024" in warning and str(need.needed) in warning
    assert "ATLAS_GATEWAY_MAX_OPEN_STREAMS=4096" in warning
    assert check_fd_limit(need.needed, need) is None
    assert check_fd_limit(resource.RLIM_INFINITY, need) is None


def test_start_up_raises_the_soft_limit_to_the_hard_one_and_stays_quiet() -> None:
    hard = resource.getrlimit(resource.RLIMIT_NOFILE)[1]  # a process may not raise its own
    hard = 1 << 16 if hard == resource.RLIM_INFINITY else min(hard, 1 << 16)
    streams = min(4096, hard - 64 - POOLS - RESERVE)
    soft, logs = start_with_limits(256, hard, streams)
    assert soft == hard
    assert not [line for line in logs if line.get("level") == "warning"]


def test_start_up_warns_once_when_the_hard_limit_is_too_low() -> None:
    soft, logs = start_with_limits(256, 1024)
    assert soft == 1024  # raised as far as allowed
    warnings = [line for line in logs if line.get("level") == "warning"]
    assert len(warnings) == 1
    assert warnings[0]["fd_soft_limit"] == 1024
    assert warnings[0]["fd_needed"] == 4096 + 64 + POOLS + RESERVE
    assert "ATLAS_GATEWAY_MAX_OPEN_STREAMS" in str(warnings[0]["msg"])
