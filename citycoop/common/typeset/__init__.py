"""A typesetter that writes long, plain documents straight to PDF (see document.py)."""

from .document import MM, Document, Style, rgb
from .fonts import MissingFont

__all__ = ["MM", "Document", "MissingFont", "Style", "rgb"]
