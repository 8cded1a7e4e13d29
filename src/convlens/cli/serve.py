"""`convlens serve [--port 8765] [--runs DIR]`: the design page on http://127.0.0.1:8765 and the Inside view of
the runs under DIR on /inside (uvicorn + Starlette)."""

from __future__ import annotations

import socket
import sys

from ..i18n import tr


def register(sub) -> None:
    p = sub.add_parser("serve", help=tr("the design page: edit a network and see every shape update as you type; the Inside view of trained runs"),
                       description=tr("Serve the design page, the Inside view of the runs under --runs (/inside) and their JSON API. Binds 127.0.0.1 (this machine only) unless "
                                      "--host says otherwise. Every asset is served locally: the page works offline."))
    p.add_argument("--port", type=int, default=8765, help=tr("port (default 8765)"))
    p.add_argument("--runs", default="runs", metavar="DIR", help=tr("the folder of `convlens train` run folders the Inside view lists (default ./runs)"))
    p.add_argument("--host", default="127.0.0.1", help=tr("address to bind (default 127.0.0.1; 0.0.0.0 exposes the page to your network)"))
    p.set_defaults(run=run)


def run(args) -> int:
    from ._common import UsageError

    try:
        import uvicorn

        from ..web import create_app
    except ImportError as exc:
        raise UsageError(tr("the page needs the web extra: {command} ({module} is missing)", command="pip install 'convlens[web]'", module=exc.name)) from None
    if not 0 < args.port < 65536:
        raise UsageError(tr("--port {port} is not a port; use 1 to 65535, e.g. --port 8765", port=args.port))
    with socket.socket() as probe:  # a clear message instead of uvicorn's traceback when the port is taken
        try:
            probe.bind((args.host, args.port))
        except OSError as exc:
            address = f"{args.host}:{args.port}"
            raise UsageError(tr("cannot listen on {address}: {reason}; try another --port", address=address, reason=exc.strerror)) from None
    url = f"http://{args.host}:{args.port}/"
    print("convlens: " + tr("the design page is on {url} (Ctrl+C stops it); the Inside view of the runs in {runs}/ is on {inside}",
                            url=url, runs=args.runs, inside=url + "inside"), file=sys.stderr)
    uvicorn.run(create_app(runs=args.runs), host=args.host, port=args.port, log_level="warning")
    return 0
