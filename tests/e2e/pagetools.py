"""What the browser tests do on a page: read the epoch counter, press the page's own buttons, fill numbers."""

from bench.browser import wait_idle

EPOCH = '[data-testid="sn-epoch"]'


def epoch(page) -> int:
    return int(page.locator(EPOCH).inner_text().split("/")[0])


def press(page, label: str) -> None:
    """Click one of the page's own buttons (not Streamlit's header Stop)."""
    page.get_by_test_id("stMainBlockContainer").get_by_role("button", name=label, exact=True).click()


def set_number(page, label: str, value: int) -> None:
    box = page.get_by_label(label, exact=True)
    box.fill(str(value))
    box.press("Enter")
    wait_idle(page)


def no_exception(page) -> None:
    assert page.locator('[data-testid="stException"]').count() == 0
