"""User-supplied strings (file, column, parameter names and values) made safe to show as text.

Streamlit renders markdown in messages, captions, labels and expanders: a column named
``[click me](https://...)`` became a live link and ``![i](http://...)`` an image the browser fetched.
Plotly renders a few HTML tags in titles, tick labels, legends and hover text. Every string that a person
or a link supplied goes through one of these before it reaches either.
"""

from __future__ import annotations

import html
import re

_MARKDOWN_PUNCTUATION = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~:$&\"'=/^%@])")
# the markdown renderer turns bare addresses into links even when escaped; an invisible word joiner
# (U+2060) after the scheme, "www" or "@" keeps them plain text that reads the same
WORD_JOINER = "\u2060"
_AUTOLINK = ((re.compile(r"(?<=:)(?=//)"), WORD_JOINER), (re.compile(r"(?i)(?<=\bwww)(?=\.)"), WORD_JOINER),
             (re.compile(r"(?<=@)"), WORD_JOINER))


def md(value: object) -> str:
    """``value`` as literal text inside Streamlit markdown: every markup character backslash-escaped.

    CommonMark lets any ASCII punctuation be escaped this way, which also disarms Streamlit's own
    ``:material/icon:`` and ``:red[...]`` directives; line breaks become spaces, and an invisible word
    joiner after ``:``, ``www`` and ``@`` stops bare addresses from being linked.
    """
    text = " ".join(str(value).splitlines())
    for pattern, joiner in _AUTOLINK:
        text = pattern.sub(joiner, text)
    return _MARKDOWN_PUNCTUATION.sub(r"\\\1", text)


def plotly(value: object) -> str:
    """``value`` as literal text inside a Plotly string (title, tick label, legend entry, hover text)."""
    return html.escape(" ".join(str(value).splitlines()), quote=False)
