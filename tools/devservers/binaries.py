"""Finding a server's binaries: PATH first, then the folders Debian keeps off the PATH."""

from __future__ import annotations

import glob
import os
import re
import shutil
from pathlib import Path

#: Debian's /usr/sbin/rabbitmq-server resolves to this wrapper, which switches to the rabbitmq
#: user and drops the environment a private node is configured by: use the script beside it.
_RABBITMQ_WRAPPER = "rabbitmq-script-wrapper"


def find(name: str, bin_dirs: str) -> Path | None:
    on_path = shutil.which(name)
    if on_path is not None:
        return _unwrapped(Path(on_path), name)
    for pattern in filter(None, bin_dirs.split(":")):
        for folder in sorted(glob.glob(pattern), key=_version_key, reverse=True):
            candidate = Path(folder) / name
            if candidate.is_file() and os.access(candidate, os.X_OK):
                return candidate
    return None


def _unwrapped(path: Path, name: str) -> Path:
    real = path.resolve()
    if real.name == _RABBITMQ_WRAPPER and (real.parent / name).exists():
        return real.parent / name
    return path


def _version_key(folder: str) -> tuple[int, ...]:
    """/usr/lib/postgresql/16/bin sorts after .../15/bin: the newest installed version wins."""
    return tuple(int(n) for n in re.findall(r"\d+", folder))
