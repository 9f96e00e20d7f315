"""Tests of the embedded Chinese font of the HTML pages."""

from __future__ import annotations

import io

from fontTools.ttLib import TTFont

from patrolsim.formats.webfont import FONT_FAMILY, font_face_css, subset_font


def test_subset_holds_the_page_characters_and_is_small() -> None:
    """Tests that the subset maps every character of the text and is far smaller than the font."""
    data = subset_font("南湖区违法时长考评合格率")
    cmap = TTFont(io.BytesIO(data)).getBestCmap()
    assert all(ord(c) in cmap for c in "南湖区违法时长考评合格率A1")
    assert ord("龘") not in cmap
    assert len(data) < 200_000


def test_font_face_is_a_data_uri() -> None:
    """Tests that the CSS rule embeds the font rather than linking it."""
    css = font_face_css("一中队")
    assert FONT_FAMILY in css
    assert "url(data:font/otf;base64," in css
    assert "http" not in css
