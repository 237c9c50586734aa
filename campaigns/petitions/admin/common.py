"""What the petitions admin pages share: how many rows a preview shows, and messages."""

PREVIEW_ROWS = 20


def _invalidated_message(invalidated: int, selected: int) -> str:
    message = f"{invalidated} signature{'s' if invalidated != 1 else ''} invalidated"
    if selected > invalidated:
        message += f"; {selected - invalidated} already were"
    return message + ". The totals drop as soon as the counts are next applied."


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'s' if n != 1 else ''}"
