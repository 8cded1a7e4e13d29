"""The design page (``convlens serve``): a Starlette app (``app.create_app``) serving a JSON API over
``convlens.design`` and the page's own static files (plain HTML, CSS and JS; nothing from a CDN)."""

from __future__ import annotations

from .app import create_app

__all__ = ["create_app"]
