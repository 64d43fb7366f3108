"""Form data as the pages post it."""


def formset(prefix: str, rows: list[dict], initial: int = 0) -> dict:
    """A formset's fields: its management form and `rows`, the first `initial` of them
    forms of existing objects."""
    data = {
        f"{prefix}-TOTAL_FORMS": len(rows),
        f"{prefix}-INITIAL_FORMS": initial,
        f"{prefix}-MIN_NUM_FORMS": 0,
        f"{prefix}-MAX_NUM_FORMS": 1000,
    }
    for index, values in enumerate(rows):
        for key, value in values.items():
            data[f"{prefix}-{index}-{key}"] = value
    return data
