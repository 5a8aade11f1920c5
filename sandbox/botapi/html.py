"""Telegram-flavoured HTML: parsing the HTML the bot sends into plain text and entities,
refusing what Telegram refuses (unknown tags, bad nesting, broken entities)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from sandbox.botapi.common import TRIMMED_WHITESPACE, JsonDict, utf16_len

# ---------------------------------------------------------------------------------------------
# Telegram-flavoured HTML
# ---------------------------------------------------------------------------------------------


class HtmlParseError(ValueError):
    """Raised for text that Telegram's HTML parse mode would refuse."""


_ENTITY_TYPES = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "span": "spoiler",
    "tg-spoiler": "spoiler",
    "a": "text_link",
    "code": "code",
    "pre": "pre",
    "blockquote": "blockquote",
    "tg-emoji": "custom_emoji",
}
_NAMED_ENTITIES = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
_TEXT_RUN = re.compile(r"[^<&]+")
_TAG_NAME = re.compile(r"[A-Za-z0-9-]*")
_ATTR_NAME = re.compile(r"[A-Za-z0-9_-]+")
_UNQUOTED_VALUE = re.compile(r"[^\s>]*")
_CHAR_ENTITY = re.compile(r"&(?:#([0-9]{1,8})|#[xX]([0-9A-Fa-f]{1,8})|([A-Za-z][A-Za-z0-9]*));")


@dataclass
class _OpenTag:
    name: str
    offset: int
    attrs: dict[str, str]
    language: str | None = None


class _HtmlRenderer:
    """Turns Telegram HTML into plain text plus message entities (offsets in UTF-16 units)."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.parts: list[str] = []
        self.pos16 = 0
        self.stack: list[_OpenTag] = []
        self.entities: list[JsonDict] = []

    def byte_offset(self, index: int) -> int:
        return len(self.source[:index].encode("utf-8"))

    def render(self) -> tuple[str, list[JsonDict]]:
        source = self.source
        i = 0
        n = len(source)
        while i < n:
            char = source[i]
            if char == "<":
                i = self.end_tag(i) if source.startswith("</", i) else self.start_tag(i)
            elif char == "&":
                decoded, i = self.char_entity(i)
                self.emit(decoded)
            else:
                match = _TEXT_RUN.match(source, i)
                assert match is not None
                self.emit(match.group())
                i = match.end()
        if self.stack:
            raise HtmlParseError(
                f'Can\'t find end tag corresponding to start tag "{self.stack[-1].name}"'
            )
        self.entities.sort(key=lambda entity: (entity["offset"], -entity["length"]))
        return "".join(self.parts), self.entities

    def emit(self, text: str) -> None:
        self.parts.append(text)
        self.pos16 += utf16_len(text)

    def char_entity(self, index: int) -> tuple[str, int]:
        """Decode the character reference at ``index``; returns the text and the next index."""
        match = _CHAR_ENTITY.match(self.source, index)
        where = f"at byte offset {self.byte_offset(index)}"
        if match is None:
            raise HtmlParseError(
                f'Unescaped "&" {where}: write it as &amp; (supported entities are &lt; &gt; '
                "&amp; &quot; and numeric ones)"
            )
        decimal, hexadecimal, name = match.groups()
        if name is not None:
            if name not in _NAMED_ENTITIES:
                raise HtmlParseError(f'Unsupported HTML entity "&{name};" {where}')
            return _NAMED_ENTITIES[name], match.end()
        code_point = int(decimal) if decimal is not None else int(hexadecimal, 16)
        if code_point == 0 or code_point > 0x10FFFF or 0xD800 <= code_point <= 0xDFFF:
            raise HtmlParseError(f"Invalid numeric character reference {where}")
        return chr(code_point), match.end()

    def unescape_attribute(self, start: int, end: int) -> str:
        """Decode character references inside an attribute value spanning source[start:end]."""
        out: list[str] = []
        i = start
        while i < end:
            amp = self.source.find("&", i, end)
            if amp < 0:
                out.append(self.source[i:end])
                break
            out.append(self.source[i:amp])
            decoded, i = self.char_entity(amp)
            if i > end:
                raise HtmlParseError(
                    f"Broken character reference at byte offset {self.byte_offset(amp)}"
                )
            out.append(decoded)
        return "".join(out)

    def skip_spaces(self, index: int) -> int:
        source = self.source
        while index < len(source) and source[index].isspace():
            index += 1
        return index

    def start_tag(self, index: int) -> int:
        source = self.source
        where = f"at byte offset {self.byte_offset(index)}"
        match = _TAG_NAME.match(source, index + 1)
        assert match is not None
        name = match.group().lower()
        if name not in _ENTITY_TYPES:
            raise HtmlParseError(f'Unsupported start tag "{name}" {where}')
        attrs: dict[str, str] = {}
        i = match.end()
        while True:
            i = self.skip_spaces(i)
            if i >= len(source):
                raise HtmlParseError(f"Unclosed start tag {where}")
            if source[i] == ">":
                i += 1
                break
            attr_match = _ATTR_NAME.match(source, i)
            if attr_match is None:
                raise HtmlParseError(
                    f'Unexpected character "{source[i]}" in the tag "{name}" '
                    f"at byte offset {self.byte_offset(i)}"
                )
            attr = attr_match.group().lower()
            i = self.skip_spaces(attr_match.end())
            value = ""
            if i < len(source) and source[i] == "=":
                i = self.skip_spaces(i + 1)
                if i >= len(source):
                    raise HtmlParseError(f"Unclosed start tag {where}")
                quote = source[i]
                if quote in "\"'":
                    close = source.find(quote, i + 1)
                    if close < 0:
                        raise HtmlParseError(f"Unclosed start tag {where}")
                    value = self.unescape_attribute(i + 1, close)
                    i = close + 1
                else:
                    value_match = _UNQUOTED_VALUE.match(source, i)
                    assert value_match is not None
                    value = self.unescape_attribute(i, value_match.end())
                    i = value_match.end()
            attrs[attr] = value
        self.check_attributes(name, attrs, where)
        self.stack.append(_OpenTag(name=name, offset=self.pos16, attrs=attrs))
        return i

    @staticmethod
    def check_attributes(name: str, attrs: dict[str, str], where: str) -> None:
        if name == "span" and attrs.get("class") != "tg-spoiler":
            raise HtmlParseError(f'Tag "span" must have class "tg-spoiler" {where}')
        if name == "a" and not attrs.get("href", "").strip():
            raise HtmlParseError(f'Tag "a" must have a non-empty "href" attribute {where}')
        if name == "tg-emoji" and not attrs.get("emoji-id", "").isdigit():
            raise HtmlParseError(
                f"Custom emoji entity must contain a valid custom emoji identifier {where}"
            )

    def end_tag(self, index: int) -> int:
        source = self.source
        where = f"at byte offset {self.byte_offset(index)}"
        match = _TAG_NAME.match(source, index + 2)
        assert match is not None
        name = match.group().lower()
        i = self.skip_spaces(match.end())
        if i >= len(source) or source[i] != ">":
            raise HtmlParseError(f"Unclosed end tag {where}")
        if not self.stack:
            raise HtmlParseError(f"Unexpected end tag {where}")
        top = self.stack[-1]
        if name != top.name:
            raise HtmlParseError(
                f'Unmatched end tag {where}, expected "</{top.name}>", found "</{name}>"'
            )
        self.stack.pop()
        self.close(top)
        return i + 1

    def close(self, tag: _OpenTag) -> None:
        if tag.name == "code" and self.stack and self.stack[-1].name == "pre":
            # <pre><code class="language-x"> is one pre entity with a language.
            css_class = tag.attrs.get("class", "")
            if css_class.startswith("language-"):
                self.stack[-1].language = css_class.removeprefix("language-")
            return
        length = self.pos16 - tag.offset
        if length == 0:
            return
        entity: JsonDict = {"type": _ENTITY_TYPES[tag.name], "offset": tag.offset}
        entity["length"] = length
        if tag.name == "a":
            entity["url"] = tag.attrs["href"]
        elif tag.name == "tg-emoji":
            entity["custom_emoji_id"] = tag.attrs["emoji-id"]
        elif tag.name == "pre" and tag.language:
            entity["language"] = tag.language
        elif tag.name == "blockquote" and "expandable" in tag.attrs:
            entity["type"] = "expandable_blockquote"
        self.entities.append(entity)


def render_html(source: str) -> tuple[str, list[JsonDict]]:
    """Parse Telegram HTML into (plain text, entities). Raises HtmlParseError when invalid."""
    return _HtmlRenderer(source).render()


def _trim(text: str, entities: list[JsonDict]) -> tuple[str, list[JsonDict]]:
    """Trim outer whitespace like Telegram and move entity offsets to match."""
    trimmed = text.strip(TRIMMED_WHITESPACE)
    if trimmed == text:
        return text, entities
    lead = len(text) - len(text.lstrip(TRIMMED_WHITESPACE))  # only BMP chars: units == chars
    total = utf16_len(trimmed)
    moved: list[JsonDict] = []
    for entity in entities:
        start = max(0, entity["offset"] - lead)
        end = min(total, entity["offset"] + entity["length"] - lead)
        if end > start:
            moved.append({**entity, "offset": start, "length": end - start})
    return trimmed, moved
