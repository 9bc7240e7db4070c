"""Binding the what-if page's port and running the server (uvicorn).

The socket is bound here, before the server starts, so that a port in use is one clear
message (:class:`ServeError`, exit status 2 on the command line) rather than a server that
fails while starting. Any address other than the loopback one is served only when asked for,
with a warning: the page has no log-in, and whoever reaches it can run simulations.
"""

from __future__ import annotations

import errno
import ipaddress
import socket
import sys

from wsim.errors import WsimError
from wsim.serve.app import WhatIf, create_app

#: The address served unless another is asked for.
DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8000


class ServeError(WsimError, OSError):
    """The server cannot start (the port is in use, the address is not this machine's)."""


def is_loopback(host: str) -> bool:
    """True for 127.0.0.0/8, ::1 and ``localhost``."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def bind(host: str, port: int) -> socket.socket:
    """A listening socket on (host, port); :class:`ServeError` when it cannot be had."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    try:
        sock.bind((host, port))
    except OSError as error:
        sock.close()
        if error.errno == errno.EADDRINUSE:
            raise ServeError(
                f"wsim serve: port {port} on {host} is in use (another server is running "
                "there); choose another with --port"
            ) from None
        raise ServeError(f"wsim serve: cannot listen on {host}:{port}: {error.strerror}") from None
    sock.listen(128)
    return sock


def serve(
    whatif: WhatIf,
    host: str = DEFAULT_HOST,
    port: int = DEFAULT_PORT,
    quiet: bool = False,
    sock: socket.socket | None = None,
) -> None:
    """Serve the page until interrupted (Ctrl-C), on `sock` if given (see :func:`bind`)."""
    import uvicorn

    sock = sock or bind(host, port)
    bound = sock.getsockname()[1]
    if not is_loopback(host):
        print(
            f"wsim serve: warning: serving on {host}, reachable from other machines; the page "
            "has no log-in and anyone who reaches it can run simulations",
            file=sys.stderr,
        )
    shown = f"[{host}]" if ":" in host else host
    print(
        f"wsim serve: the what-if page of {whatif.file} is at http://{shown}:{bound}/", flush=True
    )
    config = uvicorn.Config(
        create_app(whatif), log_level="warning" if quiet else "info", access_log=not quiet
    )
    server = uvicorn.Server(config)
    try:
        server.run(sockets=[sock])
    finally:
        whatif.runner.close()
        sock.close()
