"""A report table as pages show it and exports write it: titled columns and plain rows."""

from dataclasses import dataclass, field
from enum import StrEnum

from django.urls import reverse
from django.utils import timezone


class Kind(StrEnum):
    TEXT = "text"
    COUNT = "count"
    SHARE = "share"  # a fraction 0–1, shown as a percentage
    NUMBER = "number"  # one decimal
    CALL = "call"  # a call attempt's id, shown as a link to its review page


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    kind: Kind = Kind.COUNT


@dataclass
class Table:
    """Rows are lists of raw values in column order; ``None`` means not applicable."""

    key: str
    title: str
    columns: list[Column]
    rows: list[list] = field(default_factory=list)
    note: str = ""

    def display_rows(self) -> list[list[dict]]:
        """Cells as pages show them: text, and a link where the column names a call."""
        return [
            [
                {
                    "text": display(value, column.kind),
                    "href": call_url(value) if column.kind == Kind.CALL else "",
                    "numeric": column.kind != Kind.TEXT,
                }
                for value, column in zip(row, self.columns, strict=True)
            ]
            for row in self.rows
        ]

    def column(self, key: str) -> list:
        index = next(i for i, column in enumerate(self.columns) if column.key == key)
        return [row[index] for row in self.rows]


def display(value, kind: Kind) -> str:
    if value is None or value == "":
        return "—"
    if kind == Kind.SHARE:
        return f"{value * 100:.1f} %"
    if kind == Kind.CALL:
        return f"#{value}"
    if kind == Kind.NUMBER:
        return f"{value:.1f}"
    return str(value)


def call_url(pk) -> str:
    return reverse("supervisor:call_detail", args=[pk]) if pk else ""


def share(part: int, whole: int) -> float | None:
    return part / whole if whole else None


def local_minute(moment) -> str:
    """A moment as the tables write it: local time to the minute ("" for none)."""
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M") if moment else ""


def user_name(user) -> str:
    """A user as the tables name them: the full name, else the username ("" for nobody)."""
    return (user.get_full_name() or user.username) if user else ""
