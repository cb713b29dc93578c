"""End to end in headless Chromium (Debian's ``chromium``, driven by Playwright): the
application as ``make beersample`` serves it, used the way a person would. Screenshots of
the main pages go to build/test-output/beersample/screenshots (BEERSAMPLE_OUTPUT)."""
import itertools
import os
import re
import shutil
import tempfile

import pytest

from beersample_helpers import ROOT

pytestmark = pytest.mark.browser

CHROMIUM = "/usr/bin/chromium"
# a closed network: nothing may reach out, nothing may be downloaded
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]
OUTPUT = os.environ.get("BEERSAMPLE_OUTPUT") or os.path.join(ROOT, "build", "test-output", "beersample")
SHOTS = os.path.join(OUTPUT, "screenshots")
BREWERY = "21st_amendment_brewery_cafe"
_names = itertools.count()


@pytest.fixture(scope="module")
def browser():
    if not os.access(CHROMIUM, os.X_OK):
        pytest.fail("%s is missing: `make test-browser` installs Debian's chromium" % CHROMIUM)
    from playwright.sync_api import sync_playwright

    os.makedirs(SHOTS, exist_ok=True)
    profile = tempfile.mkdtemp(prefix="beersample-chromium-")
    with sync_playwright() as p:
        context = p.chromium.launch_persistent_context(
            profile, executable_path=CHROMIUM, headless=True, args=FLAGS,
            viewport={"width": 1280, "height": 860}, timeout=60000)
        context.set_default_timeout(15000)
        try:
            yield context
        finally:
            context.close()
            shutil.rmtree(profile, ignore_errors=True)


@pytest.fixture
def page(browser, served_app):
    p = browser.new_page()
    p.base = served_app.url.rstrip("/")
    yield p
    p.close()


def shot(page, name, full_page=False):
    page.screenshot(path=os.path.join(SHOTS, name + ".png"), full_page=full_page)


def go(page, path):
    return page.goto(page.base + path)


def create_beer(page, **fields):
    """Fill the create form as a user would; returns the beer's name."""
    name = fields.pop("name", None) or "Browser Test Ale %d %d" % (os.getpid(), next(_names))
    go(page, "/beers/create?brewery_id=" + BREWERY)
    page.fill("#beer_name", name)
    page.fill("#beer_abv", fields.pop("abv", "5.4"))
    for k, v in fields.items():
        page.fill("#beer_" + k, v)
    page.click("#save-button")
    page.wait_for_selector("#beer-name")
    return name


def test_welcome_page_leads_to_the_beers(page):
    go(page, "/")
    assert page.title().startswith("Welcome")
    assert int(page.inner_text("#beer-count").replace(",", "")) > 1000
    shot(page, "welcome")
    page.click("text=Show me all beers")
    page.wait_for_url(re.compile(r".*/beers$"))
    assert page.locator("#beer-table tbody tr").count() == 30


def test_browse_beers_forward_and_back(page):
    go(page, "/beers")
    first = page.locator("#beer-table tbody tr td:first-child").all_inner_texts()
    shot(page, "beers")
    page.click("#next-page")
    page.wait_for_url(re.compile(r".*startkey=.*"))
    second = page.locator("#beer-table tbody tr td:first-child").all_inner_texts()
    assert len(second) == 30 and not set(first) & set(second)
    page.click("#prev-page")
    page.wait_for_url(re.compile(r".*before=.*"))
    assert page.locator("#beer-table tbody tr td:first-child").all_inner_texts() == first


def test_search_updates_the_results_while_typing(page):
    go(page, "/beers")
    box = page.locator("#beer-search")
    box.press_sequentially("bud", delay=80)
    page.wait_for_function("document.querySelector('#beer-table').dataset.query === 'bud'")
    names = page.locator("#beer-table tbody tr td:first-child").all_inner_texts()
    assert names and all(n.lower().startswith("bud") for n in names)
    assert not page.is_visible("#pager")
    shot(page, "search")
    box.press_sequentially("w", delay=80)
    page.wait_for_function("document.querySelector('#beer-table').dataset.query === 'budw'")
    narrower = page.locator("#beer-table tbody tr td:first-child").all_inner_texts()
    assert narrower and len(narrower) < len(names) and all(n.lower().startswith("budw") for n in narrower)
    box.fill("")
    page.wait_for_function("document.querySelector('#beer-table').dataset.query === ''")
    assert page.locator("#beer-table tbody tr").count() == 30 and page.is_visible("#pager")


def test_create_form_shows_what_is_wrong(page):
    go(page, "/beers/create")
    page.fill("#beer_abv", "strong")
    page.fill("#beer_brewery_id", "no_such_brewery")
    page.click("#save-button")
    page.wait_for_selector("#form-errors")
    assert page.inner_text("#beer_name_error") == "Every beer needs a name."
    assert page.inner_text("#beer_abv_error") == "Alcohol (ABV) must be a number."
    assert "no_such_brewery" in page.inner_text("#beer_brewery_id_error")
    shot(page, "form-errors", full_page=True)


def test_brewery_field_suggests_breweries_as_you_type(page):
    go(page, "/beers/create")
    page.locator("#beer_brewery_id").press_sequentially("21st", delay=60)
    page.wait_for_function("document.querySelectorAll('#brewery-options option').length > 0")
    assert page.eval_on_selector("#brewery-options option", "o => o.value") == BREWERY


def test_create_then_edit_a_beer(page):
    name = create_beer(page, style="Session IPA", description="First pour.")
    assert page.inner_text("#beer-name") == name
    assert page.inner_text("#beer-abv") == "5.4%"
    shot(page, "beer", full_page=True)
    page.click("#edit-button")
    page.fill("#beer_description", "Second pour, more hops.")
    page.fill("#beer_ibu", "55")
    page.click("#save-button")
    page.wait_for_selector("text=Saved your changes")
    assert page.inner_text("#beer-description") == "Second pour, more hops."
    assert page.inner_text("#beer-ibu") == "55.0"


def test_concurrent_edit_is_refused_and_shows_the_current_version(page, browser):
    create_beer(page)
    edit_url = page.url.replace("/show/", "/edit/")
    other = browser.new_page()  # a second tab editing the same beer
    try:
        other.goto(edit_url)
        page.goto(edit_url)
        other.fill("#beer_description", "Saved first, in the other tab.")
        other.click("#save-button")
        other.wait_for_selector("text=Saved your changes")
        page.fill("#beer_description", "Saved second, from a stale form.")
        answer_status = []
        page.on("response", lambda r: answer_status.append(r.status) if r.request.method == "POST" else None)
        page.click("#save-button")
        page.wait_for_selector("#conflict")
        assert answer_status == [409]
        assert page.input_value("#beer_description") == "Saved first, in the other tab."
        assert "Saved second, from a stale form." in page.inner_text("#conflict")
        shot(page, "conflict", full_page=True)
        page.click("#save-button")  # saving the version now shown works
        page.wait_for_selector("text=Saved your changes")
    finally:
        other.close()


def test_like_once_per_session_and_unlike(page):
    create_beer(page)
    assert page.inner_text("#like-count") == "0"
    page.click("#like-button")
    page.wait_for_function("document.querySelector('#like-count').textContent === '1'")
    assert page.inner_text("#like-button .like-label") == "Unlike"
    page.reload()
    assert page.inner_text("#like-count") == "1" and page.inner_text("#like-button .like-label") == "Unlike"
    # a second like from this session (bypassing the button) changes nothing
    liked = page.evaluate("""url => fetch(url, {method: 'POST', headers: {'Accept': 'application/json',
        'X-CSRF-Token': document.querySelector('meta[name=csrf-token]').content}}).then(r => r.json())""",
                          page.get_attribute("form.like-form", "data-like-url"))
    assert liked["likes"] == 1
    shot(page, "liked")
    page.click("#like-button")
    page.wait_for_function("document.querySelector('#like-count').textContent === '0'")
    assert page.inner_text("#like-button .like-label") == "Like"


def test_delete_a_beer(page):
    name = create_beer(page)
    show_url = page.url
    page.click("#delete-button")
    page.wait_for_selector("#confirm-delete")
    page.click("#confirm-delete")
    page.wait_for_url(re.compile(r".*/beers$"))
    assert "Deleted beer %s." % name in page.inner_text(".alert-success")
    answer = page.goto(show_url)
    assert answer.status == 404 and "No such beer" in page.inner_text("#error-message")


def test_brewery_page_lists_beers_and_refuses_deletion(page):
    go(page, "/breweries/show/" + BREWERY)
    assert page.locator("#brewery-beers a").count() >= 10
    shot(page, "brewery", full_page=True)
    page.click("#delete-button")
    assert "still has beers" in page.inner_text("#delete-refused")
    assert page.locator("#confirm-delete").count() == 0


@pytest.mark.parametrize("path", ["/", "/beers", "/beers/show/21st_amendment_brewery_cafe-21a_ipa"])
def test_pages_fit_a_phone_screen(browser, served_app, path):
    phone = browser.new_page()
    phone.set_viewport_size({"width": 375, "height": 740})
    try:
        phone.goto(served_app.url.rstrip("/") + path)
        assert phone.evaluate("document.documentElement.scrollWidth") <= 375
        assert phone.is_visible(".navbar-toggler") and not phone.is_visible("#main-nav")
        if path == "/beers":
            shot(phone, "beers-phone")
            phone.click(".navbar-toggler")
            phone.wait_for_selector("#main-nav.show")
            assert phone.is_visible("#main-nav >> text=Breweries")
    finally:
        phone.close()
