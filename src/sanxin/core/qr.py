"""QR codes for pages (segno): inline SVG to put in a template, or a standalone SVG document for an
``<img>`` or a download. Error correction M: a printed code at a door survives some dirt and glare."""

from __future__ import annotations

import io

import segno

DARK = "#1f1f1f"


def svg_inline(text: str, *, scale: int = 6) -> str:
    """An ``<svg>`` element (no XML declaration, no namespace) for a template's ``|safe``."""
    return segno.make_qr(text, error="m").svg_inline(scale=scale, dark=DARK)


def svg_document(text: str, *, scale: int = 6) -> bytes:
    """A standalone SVG document (an ``<img>`` shows nothing without the SVG namespace)."""
    out = io.BytesIO()
    segno.make_qr(text, error="m").save(out, kind="svg", scale=scale, dark=DARK, xmldecl=False, svgns=True)
    return out.getvalue()
