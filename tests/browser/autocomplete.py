"""Pick a value in the admin's autocomplete (select2) the way an accountant does: click, type, choose."""


def choose(page, select: str, text: str) -> None:
    """Open the autocomplete of the <select> `select` (a CSS selector), type `text`, pick the match."""
    page.click(f"{select} + .select2 .select2-selection")
    page.fill(".select2-container--open .select2-search__field", text)
    page.click(f".select2-results__option:has-text('{text}')")
