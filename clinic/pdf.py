"""Rendering a PDF from a template with WeasyPrint: one place, one stylesheet, no network.

While rendering, only the project's own static files and uploaded media (through Django's storage, so a worker on
another machine finds them in object storage) can be loaded: any other URL (http, file paths
outside those folders, data smuggled through a patient's text) is refused, so a PDF can never fetch from outside.
"""

from __future__ import annotations

from pathlib import Path

from django.contrib.staticfiles import finders
from django.template.loader import render_to_string

PDF_STYLESHEET = "css/print.css"


class ForbiddenResource(Exception):
    pass


def _static_bytes(rel: str) -> bytes | None:
    found = finders.find(rel)
    return Path(found).read_bytes() if found and Path(found).is_file() else None


def _media_bytes(rel: str) -> bytes | None:
    """Uploaded files through Django's storage: this machine's disk, or object storage (S3_BUCKET) when web and worker
    nodes are separate machines, where a worker must find the logo or picture a web node stored."""
    from django.core.files.storage import default_storage

    if not rel or not default_storage.exists(rel):
        return None
    with default_storage.open(rel, "rb") as file:
        return file.read()


def _read(url: str) -> bytes | None:
    for prefix, read in (("medius-static:", _static_bytes), ("medius-media:", _media_bytes)):
        if url.startswith(prefix):
            rel = url[len(prefix) :].lstrip("/")
            if ".." in Path(rel).parts:
                return None
            return read(rel)
    return None


def local_only_fetcher():
    """WeasyPrint 70 needs a URLFetcher (it reads `_fail_on_errors` and asserts a URLFetcherResponse; a plain function
    returning a dict fails on the first image): this one serves only project static and media files."""
    import mimetypes

    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class LocalOnly(URLFetcher):
        def fetch(self, url, headers=None):
            content = _read(url)
            if content is None:
                raise ForbiddenResource(f"PDF rendering may not load {url[:80]!r}")
            mime = mimetypes.guess_type(url)[0] or "application/octet-stream"
            return URLFetcherResponse(url, content, {"Content-Type": mime})

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
