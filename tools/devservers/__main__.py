"""``python -m tools.devservers [-- COMMAND ...]``: what ``make up`` runs supervisord through.

PostgreSQL, Redis and RabbitMQ are looked for at the URLs every Atlas process reads. When all
answer, COMMAND replaces this process (``exec``: the normal path costs three TCP connects).
When one does not and its server is installed, a private instance is started for it under the
data folder (``var/servers/<name>``, kept between runs) and COMMAND runs once they all answer;
when COMMAND exits (Ctrl-C or SIGTERM: supervisord stops Atlas first) the private servers are
stopped. Without COMMAND the servers run until Ctrl-C. A server that is neither running nor
installed: one line naming what to install, exit code 1, nothing started.
"""

from __future__ import annotations

import os
import sys

from tools.devservers.plan import CannotStart, servers, to_start
from tools.devservers.run import run_with
from tools.devservers.settings import DevServersSettings

PROGRAM = "atlas-devservers"


def main(argv: list[str]) -> int:
    command = argv[argv.index("--") + 1 :] if "--" in argv else []
    try:
        needed = to_start(servers(DevServersSettings()))
    except CannotStart as problem:
        print(f"{PROGRAM}: {problem}", file=sys.stderr, flush=True)
        return 1
    if not needed and command:
        sys.stdout.flush()
        os.execvp(command[0], command)  # the normal path: nothing of this process remains
    return run_with(needed, command)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
