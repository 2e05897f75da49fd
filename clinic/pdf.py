"""Rendering a PDF from a template with WeasyPrint: one place, one stylesheet, no network.

While rendering, only the project's own static files and media can be loaded: any other URL (http, file paths
outside those folders, data smuggled through a patient's text) is refused, so a PDF can never fetch from outside.
"""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.contrib.staticfiles import finders
from django.template.loader import render_to_string

PDF_STYLESHEET = "css/print.css"


class ForbiddenResource(Exception):
    pass


def _local_path(url: str) -> Path | None:
    for prefix, resolve in (
        ("medius-static:", lambda rel: finders.find(rel)),
        ("medius-media:", lambda rel: settings.MEDIA_ROOT / rel),
    ):
        if url.startswith(prefix):
            rel = url[len(prefix) :].lstrip("/")
            if ".." in Path(rel).parts:
                return None
            found = resolve(rel)
            return Path(found) if found else None
    return None


def url_fetcher(url: str, timeout: int = 10, ssl_context=None):
    path = _local_path(url)
    if path is None or not path.is_file():
        raise ForbiddenResource(f"PDF rendering may not load {url[:80]!r}")
    import mimetypes

    return {"string": path.read_bytes(), "mime_type": mimetypes.guess_type(path.name)[0] or "application/octet-stream"}


def static_url(path: str) -> str:
    """Use in PDF templates instead of {% static %}: {{ 'img/x.svg'|pdf_static }}."""
    return f"medius-static:{path}"


def media_url(path: str) -> str:
    return f"medius-media:{path}"


def render_pdf(template: str, context: dict, *, stylesheets: tuple[str, ...] = (PDF_STYLESHEET,)) -> bytes:
    from weasyprint import CSS, HTML

    html = render_to_string(template, context)
    css = [CSS(string=Path(finders.find(name)).read_text(), url_fetcher=url_fetcher) for name in stylesheets]
    return HTML(string=html, base_url="medius-static:", url_fetcher=url_fetcher).write_pdf(stylesheets=css)
