"""The line ``make up`` prints first: the gateway's URL as the gateway's own settings read it
(``ATLAS_GATEWAY_HOST`` / ``ATLAS_GATEWAY_PORT``, environment or ``.env``), not a constant.

    python -m atlas_gateway.banner <query workers>
"""

from __future__ import annotations

import sys

from atlas_gateway.settings import GatewaySettings

# A listener on every interface is reached locally through the loopback address.
_ANY = {"0.0.0.0": "127.0.0.1", "::": "::1", "": "127.0.0.1"}


def gateway_url(settings: GatewaySettings) -> str:
    host = _ANY.get(settings.host, settings.host)
    if ":" in host:  # an IPv6 address goes in brackets
        host = f"[{host}]"
    return f"http://{host}:{settings.port}"


def main() -> None:
    workers = sys.argv[1] if len(sys.argv) > 1 else "1"
    print(f"Atlas: gateway on {gateway_url(GatewaySettings())} with {workers} query worker(s); "
          "Ctrl-C stops all", flush=True)


if __name__ == "__main__":
    main()
