"""Plots. Importing this package makes matplotlib render Chinese with a shipped CJK font and,
outside Jupyter/IPython, selects its file backend (Agg).

Inside a notebook the backend is left alone, so ``plt.show()`` and a cell's last figure still
draw inline.

The font (Noto Sans CJK SC, SIL Open Font License) comes with the ``mplfonts`` package, a
declared dependency, so Chinese patch names render without tofu boxes on any machine and
nothing is downloaded at run time.

It also switches off mathtext (``text.parse_math``): patch, squad, unit and staff names are
user text, and a name such as ``$\\frac{1}{$`` must be drawn as written, not parsed (a parse
error would fail a run after its tables were written). patrolsim's own labels use no mathtext.
"""

from __future__ import annotations

import importlib.resources
import sys

import matplotlib

if "ipykernel" not in sys.modules and "IPython" not in sys.modules:
    matplotlib.use("Agg")  # files only: the command line never opens a window

from matplotlib import font_manager, rcParams

CJK_FONT = "Noto Sans CJK SC"


def use_cjk_font() -> str | None:
    """Register the shipped CJK font with matplotlib and make it the default sans-serif."""
    try:
        fonts = importlib.resources.files("mplfonts") / "fonts" / "NotoSansCJKsc-Regular.otf"
    except ModuleNotFoundError:
        return None
    path = str(fonts)
    if CJK_FONT not in {f.name for f in font_manager.fontManager.ttflist}:
        font_manager.fontManager.addfont(path)
    rcParams["font.family"] = "sans-serif"
    rcParams["font.sans-serif"] = [CJK_FONT, "DejaVu Sans"]
    rcParams["axes.unicode_minus"] = False
    return CJK_FONT


use_cjk_font()
rcParams["text.parse_math"] = False
