"""The scene Markdown renderer: what an author writes is what a player sees."""

from game.tui.markdown import render


def styles(text, word):
    start = text.plain.index(word)
    return {str(s.style) for s in text.spans if s.start <= start < s.end}


def test_paragraph_lines_join_and_blank_lines_separate():
    t = render("One line\nand its continuation.\n\nA second paragraph.")
    assert t.plain == "One line and its continuation.\n\nA second paragraph."


def test_emphasis_strong_and_code():
    t = render("A *quiet* word, a **loud** one, _another_ and `Purple`.")
    assert t.plain == "A quiet word, a loud one, another and Purple."
    assert "italic" in styles(t, "quiet") and "bold" in styles(t, "loud")
    assert "italic" in styles(t, "another") and "bold" in styles(t, "Purple")


def test_brackets_and_markup_lookalikes_stay_verbatim():
    t = render("He wrote [sic] and [/] and [bold]not bold[/bold] and [1954].")
    assert t.plain == "He wrote [sic] and [/] and [bold]not bold[/bold] and [1954]."
    assert not t.spans


def test_escapes_and_lone_markers():
    t = render(r"Five \*stars\*, 2 * 3 = 6, snake_case_name.")
    assert t.plain == "Five *stars*, 2 * 3 = 6, snake_case_name."
    assert not t.spans


def test_lists_quotes_headings_links_and_hard_breaks():
    t = render("# Harbin\n\n- one\n- two *b*\n\n> a quote\n> goes on\n\n[the source](http://x) said  \nthis")
    assert t.plain == "Harbin\n\n  • one\n  • two b\n\n  a quote goes on\n\nthe source said\nthis"
    assert "bold" in styles(t, "Harbin") and "underline" in styles(t, "source")
