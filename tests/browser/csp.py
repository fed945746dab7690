"""Watch a browser page for scripts or styles its Content Security Policy refused."""


def csp_violations(page) -> list[str]:
    """Return a list that fills with every CSP refusal chromium reports on `page` from now on.

    A refused inline script would leave the page silently half-working; each browser test asserts
    the list is still empty at its end.
    """
    refused: list[str] = []
    page.on(
        "console",
        lambda message: refused.append(message.text) if "Content Security Policy" in message.text else None,
    )
    return refused
