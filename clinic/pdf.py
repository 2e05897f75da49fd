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


def local_only_fetcher():
    """WeasyPrint 70 needs a URLFetcher (it reads `_fail_on_errors` and asserts a URLFetcherResponse; a plain function
    returning a dict fails on the first image): this one serves only project static and media files."""
    import mimetypes

    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class LocalOnly(URLFetcher):
        def fetch(self, url, headers=None):
            path = _local_path(url)
            if path is None or not path.is_file():
                raise ForbiddenResource(f"PDF rendering may not load {url[:80]!r}")
            mime = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
            return URLFetcherResponse(url, path.read_bytes(), {"Content-Type": mime})

    return LocalOnly()


def url_fetcher(url: str, timeout: int = 10, ssl_context=None):
    return local_only_fetcher().fetch(url)


def static_url(path: str) -> str:
    """Use in PDF templates instead of {% static %}: {{ 'img/x.svg'|pdf_static }}."""
    return f"medius-static:{path}"


def media_url(path: str) -> str:
    return f"medius-media:{path}"


def render_pdf(template: str, context: dict, *, stylesheets: tuple[str, ...] = (PDF_STYLESHEET,)) -> bytes:
    from weasyprint import CSS, HTML

    html = render_to_string(template, context)
    fetcher = local_only_fetcher()
    css = [CSS(string=Path(finders.find(name)).read_text(), url_fetcher=fetcher) for name in stylesheets]
    return HTML(string=html, base_url="medius-static:", url_fetcher=fetcher).write_pdf(stylesheets=css)
