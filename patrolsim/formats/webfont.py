"""The Chinese font an HTML page needs, embedded in the page itself.

A report or route sheet opened on a machine without a Chinese font shows boxes (tofu) instead
of characters, and prints them too. :func:`font_face_css` cuts the shipped Noto Sans CJK SC
(from the ``mplfonts`` package, SIL Open Font License) down to the characters the page uses
with fontTools and returns a CSS ``@font-face`` rule whose source is a ``data:`` URI, so the
page renders and prints the same everywhere without a network.
"""

from __future__ import annotations

import base64
import functools
import importlib.resources
import io

from fontTools import subset

FONT_FAMILY = "patrolsim CJK"
"""The family name the embedded font is declared under in the page's CSS."""
FONT_FILE = "NotoSansCJKsc-Regular.otf"


@functools.cache
def _font_bytes() -> bytes:
    return (importlib.resources.files("mplfonts") / "fonts" / FONT_FILE).read_bytes()


def subset_font(text: str) -> bytes:
    """The shipped CJK font reduced to the characters of ``text`` (plus ASCII), as OpenType."""
    chars = {ord(c) for c in text} | set(range(0x20, 0x7F)) | {0x3000, 0xFF0C, 0x3001, 0x3002}
    options = subset.Options()
    options.layout_features = ["*"]
    options.name_IDs = ["*"]
    options.notdef_outline = True
    options.hinting = False
    font = subset.load_font(io.BytesIO(_font_bytes()), options)
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=sorted(chars))
    subsetter.subset(font)
    out = io.BytesIO()
    subset.save_font(font, out, options)
    return out.getvalue()


def font_face_css(text: str) -> str:
    """A CSS ``@font-face`` rule declaring :data:`FONT_FAMILY` with the characters of ``text``.

    Put it in the page's ``<style>`` and name :data:`FONT_FAMILY` first in ``font-family``.
    """
    data = base64.b64encode(subset_font(text)).decode("ascii")
    return (
        f'@font-face {{ font-family: "{FONT_FAMILY}"; '
        f'src: url(data:font/otf;base64,{data}) format("opentype"); }}\n'
    )
