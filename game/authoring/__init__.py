"""Tools for authors: the id index (definitions and references with their
exact ranges), story statistics and the save-impact check.

Built on the compiler's own reading of the files (`game.story.compiler`),
so every tool sees a story exactly as `lint` does.
"""
