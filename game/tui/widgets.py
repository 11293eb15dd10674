"""Small widgets of the play screen. Author text goes in as rich `Text`
objects or as `Content` built from plain strings, never as markup strings:
the sources are full of brackets.

The play screen changes every widget at each step. Textual lays the screen
out again whenever a widget asks for it (`Static.update` always does), and a
layout that changes a widget's virtual size asks for a second one, a frame
(1/60 s) later. So the widgets here repaint in place: `Panel` and `TextPane`
change their content without asking for a layout (unless their height is
their content's and it changed), and `Steady` containers
do not ask for a second layout when their size changes (they do not scroll,
so their virtual size decides nothing). One key press is then one layout
and one frame (tests/benchmarks/bench_startup.py).
"""

from __future__ import annotations

from rich.cells import cell_len
from rich.color import Color as RichColor
from rich.segment import Segment
from rich.table import Table
from textual.content import Content
from textual.containers import Horizontal, Vertical
from textual.geometry import Size
from textual.scroll_view import ScrollView
from textual.scrollbar import ScrollBar, ScrollBarRender
from textual.strip import Strip
from textual.style import Style as VisualStyle
from textual.visual import Visual
from textual.widget import Widget, _RenderCache
from textual.widgets import OptionList, Static

from game.engine.safetext import inert
from game.engine.story import Story

from .safe import Text

BAR = 14


class Steady:
    """A widget that never scrolls: a change of its size needs no second
    layout (Textual 8.2.8 asks for one when a virtual size changes)."""

    def _size_updated(self, size, virtual_size, container_size, layout: bool = True) -> bool:
        return super()._size_updated(size, virtual_size, container_size, layout=False)


class SteadyHorizontal(Steady, Horizontal):
    pass


class SteadyStatic(Steady, Static):
    pass


class SteadyScrollBar(Steady, ScrollBar):
    def refresh(self, *regions, repaint: bool = True, layout: bool = False, recompose: bool = False):
        if getattr(self.parent, "_laying_out", False) and not (layout or recompose):
            return self  # its new size is being laid out, and this frame draws it anew
        return super().refresh(*regions, repaint=repaint, layout=layout, recompose=recompose)

    def _render_content(self) -> None:
        """The bar's rows straight from ScrollBarRender.render_bar: the same
        segments Textual 8.2.8 draws, without a pass through Rich's console
        (~1 ms of every step's frame, measured)."""
        bar = self.render()
        width, height = self.size
        if not (self.vertical and type(bar) is ScrollBarRender and width > 0 and height > 0):
            return super()._render_content()
        style = bar.style
        rows = ScrollBarRender.render_bar(size=height, virtual_size=bar.virtual_size, window_size=bar.window_size,
                                          position=bar.position, thickness=width, vertical=True,
                                          back_color=style.bgcolor or RichColor.parse("#555555"),
                                          bar_color=style.color or RichColor.parse("bright_magenta")).segments
        self._render_cache = _RenderCache(self.size, [Strip([row], width) for row in rows])
        self._dirty_regions.clear()


class SteadyScrollbars:
    """A scrolling widget whose vertical scrollbar is `Steady`: when the
    widget grows or shrinks, its scrollbar does too, and a plain ScrollBar
    would then ask for a second layout, and for a repaint a frame later.
    (Widget.vertical_scrollbar of Textual 8.2.8, with the steady class.)"""

    _laying_out = False

    def _size_updated(self, size, virtual_size, container_size, layout: bool = True) -> bool:
        self._laying_out = True
        try:
            return super()._size_updated(size, virtual_size, container_size, layout)
        finally:
            self._laying_out = False

    def _arrange_scrollbars(self, region):
        self._laying_out = True
        try:
            yield from super()._arrange_scrollbars(region)
        finally:
            self._laying_out = False

    @property
    def vertical_scrollbar(self) -> ScrollBar:
        if self._vertical_scrollbar is None:
            bar = SteadyScrollBar(vertical=True, name="vertical", thickness=self.scrollbar_size_vertical)
            bar.display = False
            self._vertical_scrollbar = bar
            self.app._start_widget(self, bar)
        return self._vertical_scrollbar


class SteadyVertical(Steady, Vertical):
    pass


class Panel(Steady, Widget):
    """A box of text that repaints in place: `show(content)` asks for a
    layout only when its height is its content's (`height: auto`) and that
    height changed."""

    DEFAULT_CSS = "Panel { height: 1fr; }"

    def __init__(self, content: Content | None = None, **kw):
        super().__init__(**kw)
        self._content = content if content is not None else Content("")

    def render(self) -> Content:
        return self._content

    def show(self, content: Content) -> None:
        if content != self._content:
            width = self.content_size.width
            grows = self.styles.height is not None and self.styles.height.is_auto and \
                (width <= 0 or content.get_height(self.styles, width) != self._content.get_height(self.styles, width))
            self._content = content
            self.refresh(layout=grows)


def meter_content(label: str, value: int, lo: int, hi: int, delta: int) -> list:
    span = max(1, hi - lo)
    filled = max(0, min(BAR, round(BAR * (value - lo) / span)))
    parts = [(inert(label) + "\n", "$od-label"), ("█" * filled, "$od-fill"), ("░" * (BAR - filled), "$od-empty"),
             f" {value}/{hi}"]
    if delta:
        parts.append((f" {'▲' if delta > 0 else '▼'}{abs(delta)}", "bold $od-mark"))
    return parts


class MeterPanel(Panel):
    """Every meter as a gauge, then the other visible variables by label. A
    change since the last step is marked ▲/▼ until the next step. Colours
    are the theme's (CSS variables), so the panel follows a theme change.

    Drawn line by line, each line's strips kept while the line is unchanged:
    a step changes a few of its lines, and making all of them again cost
    ~1 ms of every step's frame (measured). Its lines are not selectable
    with the mouse (gauges, not prose; strips made per line carry no
    offsets into the whole text)."""

    ALLOW_SELECT = False

    def __init__(self, story: Story, **kw):
        super().__init__(**kw)
        self.story = story
        self._line_strips: dict = {}  # (text, spans) of a line -> its strips, for _drawn_for
        self._drawn_for = None  # (width, style, theme)
        self._strips: list[Strip] | None = None  # the lines of the content shown, at that width

    def render_line(self, y: int) -> Strip:
        width = self.content_size.width
        style = self.visual_style
        key = (width, style, self.app.theme)
        if key != self._drawn_for:
            self._drawn_for, self._line_strips, self._strips = key, {}, None
        if self._strips is None:
            cache, strips = self._line_strips, []
            kept: dict = {}
            for line in self._content.split("\n", allow_blank=True):
                line_key = (line.plain, tuple(line.spans))
                made = cache.get(line_key)
                if made is None:
                    made = Visual.to_strips(self, line, width, None, style, pad=True) or \
                        [Strip.blank(width, style.rich_style)]
                kept[line_key] = made
                strips.extend(made)
            self._line_strips, self._strips = kept, strips  # only the lines still shown are kept
        if y < len(self._strips):
            return self._strips[y]
        return Strip.blank(width, style.rich_style)

    def refresh(self, *regions, repaint: bool = True, layout: bool = False, recompose: bool = False):
        self._strips = None  # new content, or a repaint asked for by Textual (a new style, a resize)
        return super().refresh(*regions, repaint=repaint, layout=layout, recompose=recompose)

    def show(self, view) -> None:  # type: ignore[override]
        """Draw the gauges and values of a view.screen.Screen."""
        parts: list = []
        for g in view.gauges:
            parts += meter_content(g.label, g.value, g.lo, g.hi, g.delta)
            parts.append("\n\n")
        for v in view.shown:
            if v.changed:
                parts.append(("• ", "bold $od-mark"))  # before the label: a wrap never strands it
            parts.append((inert(v.label) + ": ", "$od-label"))
            parts.append((inert(v.value), "bold $od-mark") if v.changed else inert(v.value))
            parts.append("\n")
        super().show(Content.assemble(*parts))


class Hanging:
    """Rows of (lead, text) where a wrapped text keeps its indent under the
    text, not under the lead (a hanging indent): list bullets, the slot name
    of a save. `lead_width`: the lead column's least width; `lead_max`: its
    most (a longer lead folds onto more lines); `gap`: spaces after it.
    str() gives the plain text (what a test or a screen reader reads)."""

    def __init__(self, rows, lead_width: int | None = None, lead_max: int | None = None, gap: int = 0):
        self.rows = [(lead if isinstance(lead, Text) else Text(lead), text) for lead, text in rows]
        grid = Table.grid(padding=0, expand=True)
        grid.add_column(no_wrap=lead_max is None, min_width=lead_width, max_width=lead_max, overflow="fold")
        if gap:
            grid.add_column(width=gap, no_wrap=True)
        grid.add_column(ratio=1)
        for lead, text in self.rows:
            grid.add_row(lead, Text(" " * gap), text) if gap else grid.add_row(lead, text)
        self.gap = gap
        self.table = grid

    def __rich_console__(self, console, options):
        yield self.table

    def __rich_measure__(self, console, options):
        return self.table.__rich_measure__(console, options)

    def __str__(self) -> str:
        return "\n".join(lead.plain + " " * self.gap + text.plain for lead, text in self.rows)


hanging = Hanging


class Hang:
    """A block of a TextPane whose wrapped lines stay indented under its
    body, not under its lead (a bullet: a hanging indent)."""

    __slots__ = ("lead", "body")

    def __init__(self, lead: Content, body: Content):
        self.lead = lead
        self.body = body


def wrap_blocks(blocks, width: int) -> list[Content]:
    """The lines of `blocks` wrapped at `width`: each block a Content, a
    Hang, or a function of the width giving a Content drawn for it (its
    lines fit: they are not wrapped again)."""
    lines: list[Content] = []
    for block in blocks:
        if callable(block):
            lines.extend(block(width).split("\n", allow_blank=True))
        elif isinstance(block, Hang):
            lead = block.lead.cell_length
            body = block.body.wrap(max(1, width - lead)) or [Content("")]
            pad = Content(" " * lead)
            lines.extend((block.lead if i == 0 else pad) + line for i, line in enumerate(body))
        else:
            lines.extend(block.wrap(width))
    return lines


class HangingLine(Visual):
    """One entry with a hanging indent, as a Textual Visual (an option's
    prompt): `lead` then `body`, the body's wrapped lines under its first
    word, not under the lead (a choice's number). str() is the plain text."""

    def __init__(self, lead: Content, body: Content):
        self.lead = lead
        self.body = body
        self._wrapped: tuple[int, Content] | None = None  # (width, lines joined)

    def __str__(self) -> str:
        return self.lead.plain + self.body.plain

    def _lines(self, width: int) -> Content:
        if self._wrapped is None or self._wrapped[0] != width:
            self._wrapped = (width, Content("\n").join(wrap_blocks([Hang(self.lead, self.body)], width)))
        return self._wrapped[1]

    def render_strips(self, width: int, height: int | None, style, options) -> list[Strip]:
        return self._lines(width).render_strips(width, height, style, options)

    def get_optimal_width(self, rules, container_width: int) -> int:
        return self.lead.cell_length + self.body.cell_length

    def get_minimal_width(self, rules) -> int:
        return self.lead.cell_length + 1

    def get_height(self, rules, width: int) -> int:
        return len(self._lines(max(1, width)).plain.split("\n"))


class TextPane(SteadyScrollbars, ScrollView):
    """Long text that scrolls, drawn line by line from one `Content`: wrapped
    at a measure (`measure` characters, 0 for the whole width) and centred
    when the pane is wider. `show` wraps it at once and sets the virtual
    size itself, so new text is a repaint, not a layout. When the text runs
    below the pane, its last row says so (`more_hint`)."""

    DEFAULT_CSS = """
    TextPane {
        height: 1fr;
        overflow-x: hidden;
        scrollbar-gutter: stable;
        scrollbar-size-horizontal: 0;  /* else Textual adds a row to an auto height with a stable gutter */
    }
    """
    COMPONENT_CLASSES = {"textpane--more"}
    more_hint = "▼ more text: PgDn"
    # Mouse selection works on the wrapped lines: each cell carries its
    # (column, line) in them, and get_selection reads the same lines.

    def __init__(self, measure: int = 0, **kw):
        super().__init__(**kw)
        self.auto_links = False  # author links are only underlined: no link styles to apply to every line
        self.measure = measure
        self._content = Content("")
        self._blocks = None  # or the blocks the content is wrapped from (see show)
        self._lines: list[Content] = []
        self._strips: list[Strip | None] = []  # made from _lines as they are drawn
        self._wrapped_at = None  # (width, style, theme) the strips were made for
        self.text_region = (0, 0)  # the column where the text starts, and its width

    # ------------------------------------------------------------ content
    def show(self, content, *, scroll: str | int = "home") -> None:
        """New text: a Content, or a list of blocks (see wrap_blocks).
        `scroll`: "home", "keep", or a line to bring into view (with as much
        as fits below it)."""
        if isinstance(content, list):
            self._blocks = content
            self._content = Content("")  # made when wrapped: blocks may depend on the width
        else:
            self._blocks = None
            self._content = content
        self._wrapped_at = None
        self._wrap()
        if scroll == "home":
            self.scroll_to(y=0, animate=False, immediate=True)
        elif isinstance(scroll, int):
            bottom = max(0, self.virtual_size.height - self.scrollable_content_region.height)
            self.scroll_to(y=min(scroll, bottom), animate=False, immediate=True)
        self.refresh()

    def set_measure(self, measure: int) -> None:
        if measure != self.measure:
            self.measure = measure
            self._wrapped_at = None
            self._wrap()
            self.refresh()

    @property
    def line_count(self) -> int:
        return len(self._strips)

    def line_of(self, text: str) -> int | None:
        """The first wrapped line that holds `text` (to scroll to a heading)."""
        self._wrap()
        return next((i for i, line in enumerate(self._lines) if text in line.plain), None)

    def render(self) -> Content:
        """The whole text (it is drawn line by line: this is what str() of it reads)."""
        return self._content

    def _wrap(self) -> None:
        width = self.scrollable_content_region.width
        style = self.visual_style
        key = (width, style, self.app.theme)  # the colours of the text's spans come from the theme
        if width <= 0 or key == self._wrapped_at:
            return
        self._wrapped_at = key
        text_width = min(self.measure, width) if self.measure else width
        indent = (width - text_width) // 2
        self.text_region = (indent, text_width)
        # Wrapped now (the number of lines is the virtual size); each line is
        # made a strip when it is first drawn (a long scene shows a screenful).
        if self._blocks is not None:
            self._lines = wrap_blocks(self._blocks, text_width)
            self._content = Content("\n").join(self._lines)
        else:
            self._lines = self._content.wrap(text_width)
        self._strips = [None] * len(self._lines)
        size = Size(width, len(self._lines))
        if size != self.virtual_size:
            if self.styles.height is not None and self.styles.height.is_auto:
                # Its height is the text's: a layout, which also decides the
                # scrollbar (against the old height it could show one that
                # the layout hides again, with a second layout).
                self.virtual_size = size
            else:
                self.set_reactive(ScrollView.virtual_size, size)  # no layout: only the scrollbar may change
                self._scroll_update(size)

    def _on_resize(self) -> None:
        self._wrap()

    # ------------------------------------------------------------ drawing
    @property
    def more_below(self) -> bool:
        return self.max_scroll_y > 0 and self.scroll_offset.y < self.max_scroll_y

    def render_line(self, y: int) -> Strip:
        self._wrap()
        width = self.scrollable_content_region.width
        height = self.scrollable_content_region.height
        style = self.visual_style.rich_style
        if y == height - 1 and self.more_below:
            hint = self.more_hint
            indent, text_width = self.text_region
            pad = max(0, indent + text_width - len(hint))
            return Strip([Segment(" " * pad, style), Segment(hint, self.get_visual_style("textpane--more").rich_style)],
                         pad + len(hint)).extend_cell_length(width, style)
        n = self.scroll_offset.y + y  # rounded, as Textual's repaints on a scroll are
        if 0 <= n < len(self._strips):
            strip = self._strips[n]
            return strip if strip is not None else self._strip(n)
        return Strip.blank(width, style)

    def _strip(self, n: int) -> Strip:
        width = self.scrollable_content_region.width
        indent, text_width = self.text_region
        style = self.visual_style
        rich = style.rich_style
        # The line is wrapped already: its spans become segments directly
        # (Visual.to_strips would wrap and format it again, ~0.1 ms a line),
        # each with its place in the lines for the mouse selection.
        line = self._lines[n]
        selection = self.text_selection
        if selection is not None and (span := selection.get_span(n)) is not None:
            start, end = span
            line = line.stylize(VisualStyle.from_styles(self.screen.get_component_styles("screen--selection")),
                                start, len(line.plain) if end == -1 else end)
        segments = [Segment(" " * indent, rich)] if indent else []
        x = 0
        for text, span_style in line.render(style, end="", parse_style=self._get_style):
            segments.append(Segment(text, (style + span_style).rich_style_with_offset(x, n)))
            x += len(text)
        strip = self._strips[n] = Strip(segments, indent + line.cell_length).extend_cell_length(width, rich)
        return strip

    def get_selection(self, selection) -> tuple[str, str] | None:
        """The selected words, read from the lines as wrapped and drawn."""
        return selection.extract("\n".join(line.plain for line in self._lines)), "\n"

    def selection_updated(self, selection) -> None:
        self._strips = [None] * len(self._lines)  # drawn again with (or without) the highlight
        self.refresh()


class SafeOptionList(SteadyScrollbars, OptionList):
    """OptionList that survives paging before it has been laid out: in
    Textual 8.2.8 PageUp/PageDown on a list squeezed to zero height (a tiny
    terminal) raises KeyError. Found by the monkey test. Its scrollbar is
    steady (see SteadyScrollbars), and `set_options` leaves the scrollbar
    to the layout: measured against the list's old height, new options
    taller than it would show a scrollbar that the layout (which gives the
    list its new height) hides again, with a second layout.

    Its height is worked out for the width left beside a scrollbar: Textual
    8.2.8 measures an auto-height list at its full width but draws it beside
    the scrollbar once one shows (or always, with a stable scrollbar
    gutter), so an option that fits only the full width wraps onto a line
    the height has no room for, which keeps the scrollbar showing: the last
    words of the last choice were hidden (Nero, c01_why at 100x30).
    Measured at the narrower width the list always fits without a
    scrollbar."""

    def get_content_height(self, container, viewport, width: int) -> int:
        return super().get_content_height(container, viewport, max(1, width - self.styles.scrollbar_size_vertical))

    _filling = False
    _width = -1

    def _on_resize(self, event) -> None:
        if event.size.width == self._width:
            event.prevent_default()  # only the height changed: OptionList would drop its lines and repaint
        self._width = event.size.width

    def set_options(self, options):
        """New options; a layout only when they take another number of lines
        (Textual 8.2.8 asks for one at every change of an auto-height list,
        and a step's new choices mostly take the lines the old ones took)."""
        lines, laid_out = self.virtual_size.height, self.size.height > 0
        self._filling = True
        try:
            super().set_options(options)
        finally:
            self._filling = False
        if not laid_out or self.virtual_size.height != lines:
            super().refresh(layout=True)
        self._foresee_scrollbar()
        return self

    def refresh(self, *regions, repaint: bool = True, layout: bool = False, recompose: bool = False):
        if self._filling:
            layout = False  # decided once the options are in (set_options)
        return super().refresh(*regions, repaint=repaint, layout=layout, recompose=recompose)

    def _refresh_scrollbars(self) -> None:
        if not self._filling:
            super()._refresh_scrollbars()

    def _foresee_scrollbar(self) -> None:
        """With a height of its own (`height: auto` under a `max-height`),
        the list will be as tall as its options up to that limit: show or
        hide the scrollbar for that height now, in the same layout, rather
        than after it (with another). A wrong guess costs only that second
        layout: Textual decides again once the list has its height."""
        styles = self.styles
        if styles.height is None or not styles.height.is_auto or styles.max_height is None \
                or self.parent is None or styles.overflow_y != "auto":
            return
        limit = int(styles.max_height.resolve(self.parent.size, self.app.size)) - styles.gutter.height
        show = self.virtual_size.height > limit
        if show != self.show_vertical_scrollbar:
            self.show_vertical_scrollbar = show
            if self._vertical_scrollbar is not None or show:
                self.vertical_scrollbar.display = show

    def _move_page(self, direction) -> None:
        if not self._lines or self.scrollable_content_region.height <= 0:
            return
        try:
            super()._move_page(direction)
        except (KeyError, IndexError):
            pass


KEY_NAMES = {"question_mark": "?", "escape": "esc", "enter": "⏎", "space": "space"}


def key_label(key: str) -> str:
    key = key.split(",")[0]
    if key.startswith("ctrl+"):
        return "^" + key[5:]
    return KEY_NAMES.get(key, key)


# Always on the key line, however narrow: the rest are listed by the help.
KEEP_KEYS = ("question_mark", "o", "q")  # help, settings (a theme, a text width one may need to read), quit


def fit_keys(keys: list[tuple[str, str, str]], width: int) -> list[tuple[str, str, str, int | None]]:
    """What the key line shows of a screen's keys (binding key, label,
    description) in `width` cells, as (space before, label, description,
    index in `keys` or None for the ellipsis): every key with two spaces
    between when they fit; else one space; else the help and quit keys are
    kept and the others dropped from the right, one ellipsis standing for
    them where the first was."""
    def items(kept, gap):
        out, cut = [], False
        for i, ((key, label, desc), keep) in enumerate(zip(keys, kept)):
            if keep or not cut:
                space = " " if not out else " " * gap
                out.append((space, label, desc, i) if keep else (space, "…", "", None))
                cut = cut or not keep
        return out

    def cost(line):
        return sum(len(sp) + len(label) + (len(desc) + 1 if desc else 0) for sp, label, desc, _ in line)

    kept = [True] * len(keys)
    for gap in (2, 1):
        if cost(items(kept, gap)) <= width:
            return items(kept, gap)
    for i in range(len(keys) - 1, -1, -1):
        if keys[i][0] in KEEP_KEYS:
            continue
        kept[i] = False
        if cost(items(kept, 1)) <= width:
            break
    return items(kept, 1)


class KeyBar(Static):
    """The keys of a screen as one line of text; a click on a key does what
    the key does. Textual's Footer builds a widget per key and rebuilds them
    whenever a dialog opens or closes (~30 ms each time, measured); this
    line is redrawn only when its width changes, and fits it (fit_keys):
    the quit key is never cut off."""

    DEFAULT_CSS = """
    KeyBar {
        dock: bottom;
        height: 1;
        background: $od-bar;
        color: $od-label;
        text-wrap: nowrap;
        text-overflow: ellipsis;
    }
    """

    def __init__(self, bindings, **kw):
        shown = [b for b in bindings if getattr(b, "show", False) and b.description]
        self.keys = [(b.key, b.key_display or key_label(b.key), b.description) for b in shown]
        self.actions = [b.action for b in shown]
        self._width = 80
        super().__init__(self._line(self._width), **kw)

    def _line(self, width: int) -> Content:
        parts: list = []
        x = 0
        self._spans = []  # (first cell, cell after the last, action) of each key shown
        for space, label, desc, i in fit_keys(self.keys, width):
            parts.append(space)
            x += cell_len(space)
            start = x
            parts.append((inert(label), "bold $od-bright"))
            x += cell_len(label)
            if desc:
                parts.append(inert(f" {desc}"))
                x += cell_len(desc) + 1
            if i is not None:
                self._spans.append((start, x, self.actions[i]))
        return Content.assemble(*parts)

    async def on_click(self, event) -> None:
        """A click on a key does what pressing it does (on this bar's screen)."""
        for start, end, action in self._spans:
            if start <= event.x < end:
                event.stop()
                await self.run_action(f"screen.{action}")
                return

    def on_resize(self, event) -> None:
        width = self.size.width
        if width and width != self._width:
            self._width = width
            self.update(self._line(width), layout=False)


class HeaderLine(Panel):
    """The play screen's header: story · chapter · scene on one line when it
    fits; else without the story's title; else chapter and scene on two
    lines (never cut off with an ellipsis while two lines hold it). Redrawn
    in place (a Panel): a layout only when it changes its number of lines."""

    parts: tuple = ()

    def show(self, view) -> None:  # type: ignore[override]
        self.parts = (view.story_title, view.chapter, view.scene_title)
        self._fit(self.content_size.width or 78)

    def _fit(self, width: int) -> None:
        story, chapter, scene = self.parts
        place = " · ".join(x for x in (chapter, scene) if x)
        full = " · ".join(x for x in (story, chapter, scene) if x)
        if len(full) <= width or not place:
            text = full
        elif len(place) <= width or not (chapter and scene):
            text = place
        else:
            text = f"{chapter}\n{scene}"
        super().show(Content(inert(text)))

    def on_resize(self, event) -> None:
        if self.parts and self.content_size.width:
            self._fit(self.content_size.width)
