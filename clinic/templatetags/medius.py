from django import template

from clinic import pdf

register = template.Library()


@register.filter
def pdf_static(path: str) -> str:
    return pdf.static_url(path)


@register.filter
def pdf_media(path: str) -> str:
    return pdf.media_url(path)
