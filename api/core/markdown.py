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
