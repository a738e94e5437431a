"""User Markdown to safe HTML: parsed without raw HTML, then sanitised by an allow-list (nh3).

Two layers on purpose: the parser escapes any HTML typed into minutes, and the sanitiser
removes whatever could still execute or fetch (event handlers, `javascript:` and `data:` links,
htmx attributes, styles, images from elsewhere).
"""

import nh3
from markdown_it import MarkdownIt

_parser = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False}).enable("table")

_TAGS = {
    "p", "br", "strong", "em", "code", "pre", "blockquote", "ul", "ol", "li", "a", "h3", "h4", "h5", "h6",
    "table", "thead", "tbody", "tr", "th", "td", "hr",
}
_ATTRIBUTES = {"a": {"href", "title"}, "th": {"align"}, "td": {"align"}}


def render(text: str) -> str:
    html = _parser.render(text or "")
    return nh3.clean(html, tags=_TAGS, attributes=_ATTRIBUTES, url_schemes={"http", "https", "mailto"},
                     link_rel="noopener noreferrer nofollow", strip_comments=True)


def plain_text(text: str) -> str:
    """What a reader of the rendered Markdown reads, as plain text: no `**`, `#` or link syntax
    (a link keeps its words, not its address); blocks on lines of their own. For search snippets,
    which are made by the database from stored text and must read as text."""
    lines: list[str] = []
    for token in _parser.parse(text or ""):
        if token.type == "inline":
            words = []
            for child in token.children or []:
                if child.type in ("text", "code_inline", "html_inline"):
                    words.append(child.content)
                elif child.type in ("softbreak", "hardbreak"):
                    words.append(" ")
                elif child.type == "image":
                    words.append(child.content)
            lines.append("".join(words))
        elif token.type in ("code_block", "fence", "html_block"):
            lines.append(token.content.rstrip("\n"))
    return "\n".join(line for line in lines if line.strip())
