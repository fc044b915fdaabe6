"""What a person reads in a message whose markdown source escapes user text (``playground.core.text.md``)."""

import re


def shown(markdown: str) -> str:
    """``markdown`` with its backslash escapes resolved, as the page displays it."""
    return re.sub(r"\\(.)", r"\1", markdown)
