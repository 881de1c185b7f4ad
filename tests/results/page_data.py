"""Read the numbers a results or session page carries in its data-* attributes."""

from __future__ import annotations

from html.parser import HTMLParser


class _DataElements(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.elements: list[dict] = []

    def handle_starttag(self, tag, attrs):
        data = {name[5:]: value for name, value in attrs if name.startswith("data-")}
        if data:
            data["_tag"] = tag
            data["_class"] = dict(attrs).get("class", "") or ""
            data["_id"] = dict(attrs).get("id", "") or ""
            self.elements.append(data)


def data_elements(html: str, **match: str) -> list[dict]:
    """Every element with data-* attributes whose attributes include ``match``, as dicts of
    attribute name (without ``data-``) → string. In ``match`` an underscore stands for a dash,
    except the leading one of ``_tag``, ``_class`` and ``_id`` (the element's own)."""
    parser = _DataElements()
    parser.feed(html)
    wanted = {key if key.startswith("_") else key.replace("_", "-"): value
              for key, value in match.items()}
    return [e for e in parser.elements if all(e.get(k) == v for k, v in wanted.items())]


def one(html: str, **match: str) -> dict:
    """The single element matching ``match``; fails when there are none or several."""
    found = data_elements(html, **match)
    assert len(found) == 1, f"{len(found)} elements match {match}"
    return found[0]


def number(element: dict, name: str) -> float | None:
    """An attribute as a float (None when the element does not carry it)."""
    value = element.get(name)
    return None if value is None else float(value)
