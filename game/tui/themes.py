"""The game's colour themes (Textual themes): dark, light and high contrast.

app.tcss names colours only by these variables (`$od-...`), so a theme is
one table here. The dark theme keeps Textual's default core colours (the
highlighted choice, scrollbars, toasts) and adds the game's own: 1930s
telegrams and dossiers, paper, ink and a red stamp. NO_COLOR still turns
every theme into greys (Textual's monochrome filter).
"""

from __future__ import annotations

from textual._context import active_app
from textual.theme import Theme

# name of the setting -> name of the Textual theme
THEME_NAMES = {"dark": "od-dark", "light": "od-light", "contrast": "od-contrast"}

_DARK = {
    "od-bg": "#1d1b17",  # the screen
    "od-fg": "#e8e0cc",  # its text
    "od-panel": "#24211b",  # side panel, choices, lists
    "od-bar": "#3a3326",  # header and key line
    "od-bright": "#f2e6c8",  # header text, keys, titles
    "od-frame": "#a08c64",  # borders, the title's tag line
    "od-dim": "#8a7d63",  # hints
    "od-label": "#c8b88e",  # labels, sections
    "od-mark": "#f2c14e",  # what just changed, ending titles
    "od-fill": "#c9a45c",  # a meter's filled part
    "od-empty": "#5b5140",  # its empty part, the side panel's rule
    "od-disabled": "#6d6452",  # a locked choice
    "od-notice-bg": "#5a2a22",
    "od-notice-fg": "#f2e6c8",
    "od-backdrop": "#14120f",  # behind a dialog (opaque, see app.tcss)
    "od-paper": "#f0e6cf",  # a dialog
    "od-ink": "#2a241a",  # its text
    "od-stamp": "#7a2418",  # its title
    "od-paper-muted": "#5b5140",  # its source line
    "od-paper-hint": "#6d6452",  # its hint line
    "od-paper-list": "#e6dbc0",  # a list in a dialog
    "od-paper-focus": "#fff8e6",  # a text field in a dialog, being typed in
    "od-error": "#b5533c",  # the live reload's errors: border
    "od-error-bg": "#2a1a16",  # and background
    "od-band": "#b8734a",  # the journey chart's other chapter ink (the first is od-fill)
}

_LIGHT = {
    "od-bg": "#f4ecd8",
    "od-fg": "#2a241a",
    "od-panel": "#ebe0c6",
    "od-bar": "#d9cba6",
    "od-bright": "#1f1a12",
    "od-frame": "#8a6d3b",
    "od-dim": "#6b5d43",
    "od-label": "#5b4a2c",
    "od-mark": "#8a2c12",
    "od-fill": "#8a6d3b",
    "od-empty": "#cbbd98",
    "od-disabled": "#8a7f68",
    "od-notice-bg": "#e8c9b4",
    "od-notice-fg": "#2a1a12",
    "od-backdrop": "#ddd2b9",
    "od-paper": "#fffaf0",
    "od-ink": "#2a241a",
    "od-stamp": "#7a2418",
    "od-paper-muted": "#5b5140",
    "od-paper-hint": "#6d6452",
    "od-paper-list": "#f0e6cf",
    "od-paper-focus": "#ffffff",
    "od-error": "#a0202a",
    "od-error-bg": "#f6ddd6",
    "od-band": "#a0522d",
}

# Every pair of text and background here is at least 7:1 (WCAG AAA).
_CONTRAST = {
    "od-bg": "#000000",
    "od-fg": "#ffffff",
    "od-panel": "#000000",
    "od-bar": "#000000",
    "od-bright": "#ffffff",
    "od-frame": "#ffffff",
    "od-dim": "#d0d0d0",
    "od-label": "#ffffff",
    "od-mark": "#ffff00",
    "od-fill": "#ffffff",
    "od-empty": "#808080",
    "od-disabled": "#c0c0c0",
    "od-notice-bg": "#ffff00",
    "od-notice-fg": "#000000",
    "od-backdrop": "#000000",
    "od-paper": "#000000",
    "od-ink": "#ffffff",
    "od-stamp": "#ffff00",
    "od-paper-muted": "#e0e0e0",
    "od-paper-hint": "#e0e0e0",
    "od-paper-list": "#000000",
    "od-paper-focus": "#303030",
    "od-error": "#ff8080",
    "od-error-bg": "#000000",
    "od-band": "#ffff00",
    "block-cursor-background": "#ffff00",
    "block-cursor-foreground": "#000000",
    "block-cursor-blurred-background": "#808080",
    "block-cursor-blurred-foreground": "#000000",
}

THEMES = (
    # The core colours of Textual's own "textual-dark": the default look is unchanged.
    Theme(name="od-dark", primary="#0178D4", secondary="#004578", accent="#ffa62b", warning="#ffa62b",
          error="#ba3c5b", success="#4EBF71", foreground="#e0e0e0", variables=_DARK),
    Theme(name="od-light", primary="#7a2418", secondary="#8a6d3b", accent="#8a2c12", warning="#8a5a00",
          error="#a0202a", success="#2f6b2f", foreground="#2a241a", background="#f4ecd8", surface="#ebe0c6",
          panel="#e0d3b4", dark=False, variables=_LIGHT),
    Theme(name="od-contrast", primary="#ffff00", secondary="#ffffff", accent="#ffff00", warning="#ffff00",
          error="#ff8080", success="#80ff80", foreground="#ffffff", background="#000000", surface="#000000",
          panel="#000000", variables=_CONTRAST),
)


def ink(name: str) -> str:
    """The current theme's colour `name` (an `od-` variable) as a hex string,
    for text built as rich `Text` (whose styles cannot name a variable); the
    dark theme's outside an app. A page built with it is built again when it
    is opened, so it follows a theme chosen meanwhile."""
    try:
        theme = active_app.get().current_theme
    except LookupError:
        return _DARK[name]
    return theme.variables.get(name) or _DARK[name]
