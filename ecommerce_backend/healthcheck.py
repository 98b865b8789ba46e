"""Container health check of the web process: `python -m ecommerce_backend.healthcheck [URL]`.

Exit 0 when URL (default http://127.0.0.1:8000/healthz) answers 200, else 1. The request names a host the
site accepts (the first entry of DJANGO_ALLOWED_HOSTS), so the check passes with production hosts, where
a request to Host: 127.0.0.1 is refused by Django's host validation. Nothing but the standard library: the
check runs every few seconds and must not load Django.
"""

from __future__ import annotations

import argparse
import os
import sys
import urllib.error
import urllib.request

DEFAULT_URL = "http://127.0.0.1:8000/healthz"


def accepted_host(allowed_hosts: str | None) -> str:
    """A Host header value that DJANGO_ALLOWED_HOSTS accepts ("localhost" when unset or "*")."""
    for entry in (allowed_hosts or "").split(","):
        entry = entry.strip()
        if entry and entry != "*":
            return entry.lstrip(".")  # ".example.com" accepts example.com itself
    return "localhost"


def probe(url: str, host: str, timeout: float) -> int:
    """The HTTP status of GET url with that Host header (0 when nothing answered)."""
    request = urllib.request.Request(url, headers={"Host": host, "Accept": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status
    except urllib.error.HTTPError as exc:
        return exc.code
    except (urllib.error.URLError, OSError):
        return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("url", nargs="?", default=DEFAULT_URL, help=f"health URL (default {DEFAULT_URL})")
    parser.add_argument("--timeout", type=float, default=5.0, help="seconds to wait for the answer (default 5)")
    args = parser.parse_args(argv)
    host = accepted_host(os.environ.get("DJANGO_ALLOWED_HOSTS"))
    status = probe(args.url, host, args.timeout)
    print(f"{args.url} (Host: {host}): {status or 'no answer'}")
    return 0 if status == 200 else 1


if __name__ == "__main__":
    sys.exit(main())
