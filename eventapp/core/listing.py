"""Searching and sorting a long list from the address (``?q=...&sort=-name``), the same way on
every list: what is asked for is read defensively, and anything unknown is ignored, so a
hand-edited or hostile address shows the list as it would be without it, never an error."""

from dataclasses import dataclass

MAX_QUERY = 100  # longer searches are cut, not refused: nothing useful is that long


def query_text(raw) -> str:
    """The search as typed, with spacing collapsed and its length bounded."""
    return " ".join(str(raw or "").split())[:MAX_QUERY]


def matches(needle: str, *texts) -> bool:
    """Whether every word of ``needle`` is in one of ``texts``, ignoring case. Done in Python
    so æ, ø and å fold the same on SQLite and PostgreSQL."""
    haystack = " ".join(str(t) for t in texts if t).casefold()
    return all(word in haystack for word in needle.casefold().split())


@dataclass(frozen=True)
class Sort:
    """A named column and its direction; ``value`` is how the address writes it."""

    key: str
    desc: bool = False

    @property
    def value(self) -> str:
        return ("-" if self.desc else "") + self.key

    def aria(self, key: str) -> str | None:
        """``aria-sort`` for the column ``key``'s header."""
        if key != self.key:
            return None
        return "descending" if self.desc else "ascending"

    def toggle(self, key: str) -> str:
        """The address value a click on column ``key``'s header asks for."""
        return ("" if self.desc else "-") + key if key == self.key else key


def parse_sort(raw, allowed, default: str) -> Sort:
    """The sort asked for when its column is one of ``allowed``, else ``default``."""
    text = str(raw or "").strip()
    desc = text.startswith("-")
    key = text[1:] if desc else text
    if key in allowed:
        return Sort(key, desc)
    return Sort(default.lstrip("-"), default.startswith("-"))
