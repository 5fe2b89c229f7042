"""The web chat in a real browser: Debian's chromium driven by Playwright against `python app.py`."""

from __future__ import annotations

import shutil
import subprocess
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

import pytest
from conftest import PYTHON, ROOT, cli_env, copy_samples
from test_facts import SIF
from test_factual import DONCASTER_2018, write_report

from assistant.evaluation.local_server import free_port

pytestmark = pytest.mark.slow

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
LETTER_TITLE = "Annual unannounced inspection of contact, referral and assessment arrangements"
NEW_REPORT = """Inspection of Rotherham local authority children's services

Published: 3 March 2023

Lead inspector: Jane Smith, His Majesty's Inspector

Inspection dates: 6 to 17 February 2023

Ofsted found that Lantern House, the new kinship carers' hub in Rotherham, gives families quick practical help.

Social workers' caseloads in Rotherham remain too high in the assessment teams, which delays some visits.
"""


def wait_until_up(url: str, process: subprocess.Popen, deadline_s: float = 180) -> None:
    deadline = time.monotonic() + deadline_s
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the app exited with status {process.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.2)  # polling interval while the server starts, not synchronisation
    raise TimeoutError(f"{url} did not answer within {deadline_s} s")


@contextmanager
def running_app(settings, tmp_path: Path, **env: str):
    """`python app.py` on a free loopback port, over a fresh corpus and no index yet; yields its URL."""
    copy_samples(settings.corpus_dir)
    port = free_port()
    log = (tmp_path / "app.log").open("w")
    process = subprocess.Popen(
        [PYTHON, str(ROOT / "app.py"), "--host", "127.0.0.1", "--port", str(port)],
        cwd=tmp_path,
        env=dict(cli_env(settings), **env),
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}/"
    try:
        wait_until_up(url, process)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()


@pytest.fixture
def app_url(settings, tmp_path):
    with running_app(settings, tmp_path) as url:
        yield url


@pytest.fixture
def page(tmp_path):
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: apt-get install chromium (.ci/run does)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        context = browser.new_context(viewport={"width": 1400, "height": 1000})
        context.set_default_timeout(60_000)
        yield context.new_page()
        browser.close()


class Shots:
    """Screenshots kept in the test's folder and copied to screenshots/ at the repository root."""

    def __init__(self, page, folder: Path) -> None:
        self.page, self.folder, self.public = page, folder, ROOT / "screenshots"
        folder.mkdir(parents=True, exist_ok=True)
        self.public.mkdir(exist_ok=True)

    def take(self, name: str) -> None:
        path = self.folder / f"{name}.png"
        self.page.screenshot(path=str(path), full_page=True)
        shutil.copy(path, self.public / path.name)


def ask(page, question: str, answers_before: int) -> None:
    from playwright.sync_api import expect

    page.locator("#question textarea").fill(question)
    page.locator("#ask-button").click()
    bot = page.locator("#chat [data-testid='bot']")
    expect(bot).to_have_count(answers_before + 1)
    expect(page.locator("#question textarea")).to_have_value("")  # emptied with the last piece of the answer


def test_ask_cite_upload_and_follow_up_in_chromium(app_url, page, settings, tmp_path):
    from playwright.sync_api import expect

    shots = Shots(page, tmp_path / "screenshots")
    page.goto(app_url)
    expect(page.locator("#index-status")).to_contain_text("Index")
    shots.take("00-first-start")  # usually still "Indexing: n of 5 files": the app builds its index at start
    expect(page.locator("#index-status")).to_contain_text("Index ready", timeout=180_000)

    ask(page, "What did Ofsted say about agency staff in Doncaster?", 0)
    cards = page.locator("#sources .cite-card")
    expect(cards.first).to_be_visible()
    expect(cards.filter(has_text=LETTER_TITLE).filter(has=page.locator(".badge-ofsted")).first).to_be_visible()
    expect(page.locator("#chat")).to_contain_text("agency staff")
    expect(page.locator("#sources mark").first).to_be_visible()
    shots.take("01-answer-with-sources")

    last_card = page.locator("#sources .cite-card").last
    last_n = last_card.get_attribute("data-n")
    page.locator(f"#chat a[href='#cite-card-{last_n}']").first.click()
    expect(page.locator(f"#cite-card-{last_n}")).to_have_class("cite-card cite-focus")
    expect(page.locator(f"#cite-card-{last_n}")).to_be_in_viewport()
    page.locator("#chat a[href='#cite-card-1']").first.click()
    expect(page.locator("#cite-card-1")).to_have_class("cite-card cite-focus")
    expect(page.locator("#cite-card-1")).to_be_in_viewport()
    page.locator("#cite-card-1 .cite-open").click()
    expect(page.locator("#document-view #doc-highlight")).to_be_visible()
    expect(page.locator("#document-view #doc-highlight")).to_be_in_viewport()
    shots.take("02-clicked-citation-document-open")

    page.get_by_role("tab", name="Reports").click()
    table = page.locator("#documents-table")
    expect(table).to_contain_text(LETTER_TITLE)
    upload = page.locator("#upload input[type=file]")
    upload.set_input_files(files=[{"name": "fake.pdf", "mimeType": "application/pdf", "buffer": b"not a pdf at all"}])
    expect(page.locator("#reports-outcome")).to_contain_text("is named .pdf but is not a PDF")
    assert not any(p.name.startswith("fake") for p in settings.corpus_dir.iterdir())
    upload.set_input_files(
        files=[{"name": "../Rotherham inspection.txt", "mimeType": "text/plain", "buffer": NEW_REPORT.encode()}]
    )
    expect(page.locator("#reports-outcome")).to_contain_text("Rotherham_inspection.txt was added")
    expect(table).to_contain_text("Inspection of Rotherham local authority")
    assert (settings.corpus_dir / "Rotherham_inspection.txt").is_file()
    shots.take("03-report-uploaded")

    page.get_by_role("tab", name="Ask").click()
    ask(page, "What did Ofsted say about Lantern House in Rotherham?", 1)
    upload_card = page.locator("#sources .cite-card").first
    expect(upload_card).to_contain_text("Rotherham_inspection.txt")
    expect(upload_card.locator(".badge-ofsted")).to_be_visible()
    expect(page.locator("#chat")).to_contain_text("kinship carers")
    shots.take("04-asked-about-upload")

    ask(page, "What about caseloads there?", 2)
    expect(page.locator("#sources .cite-card").first).to_contain_text("Rotherham_inspection.txt")
    expect(page.locator("#sources mark").first).to_contain_text("caseloads")
    shots.take("05-follow-up")

    ask(page, "Is Darlington going to fight the verdict?", 3)  # nothing says "fight": not sure, with its leads
    expect(page.locator("#sources #outcome")).to_contain_text("Not sure.")
    expect(page.locator("#sources .cite-card").nth(1)).to_be_visible()
    expect(page.locator("#sources")).to_contain_text("we accept the detail of the report")
    shots.take("10-not-sure-with-leads")

    from gradio_client import Client

    result = Client(app_url, verbose=False).predict("agency staff in Doncaster", "Doncaster", "ofsted", api_name="/ask")
    assert result["answer"] and result["citations"][0]["source_type"] == "ofsted"
    assert {"n", "source", "title", "page", "quote", "quote_start", "quote_end"} <= set(result["citations"][0])

    page.locator("#clear-button").click()
    expect(page.locator("#chat [data-testid='bot']")).to_have_count(0)
    expect(page.locator("#sources")).to_contain_text("appear here")

    page.get_by_role("tab", name="Reports").click()
    page.locator("#remove-choice input").fill("Rotherham_inspection.txt")
    page.get_by_role("option", name="Rotherham_inspection.txt").click()
    # A report copied in and indexed refreshes the lists; the report chosen for removal stays chosen.
    (settings.corpus_dir / "wigan.txt").write_text(NEW_REPORT.replace("Rotherham", "Wigan"))
    page.locator("#rescan").click()
    expect(table).to_contain_text("Inspection of Wigan local authority")
    page.locator("#remove").click()
    expect(page.locator("#reports-outcome")).to_contain_text("Removed Rotherham_inspection.txt")
    expect(table).not_to_contain_text("Inspection of Rotherham local authority")
    assert (settings.corpus_dir.parent / "removed" / "Rotherham_inspection.txt").is_file()
    assert not (settings.corpus_dir / "Rotherham_inspection.txt").exists()
    shots.take("06-rescanned-and-removed")


def test_a_judgement_over_time_is_charted_beside_its_table(settings, tmp_path, page):
    from playwright.sync_api import expect

    for name, text in (
        ("children's services inspection - 27 november 2015.pdf", SIF),
        ("children's services inspection - 19 january 2018.pdf", DONCASTER_2018),
    ):
        write_report(settings.corpus_dir, "doncaster", name, text)
    with running_app(settings, tmp_path) as url:
        shots = Shots(page, tmp_path / "screenshots")
        page.goto(url)
        expect(page.locator("#index-status")).to_contain_text("Index ready", timeout=180_000)
        ask(page, "How has Doncaster's overall judgement changed since 2015?", 0)
        expect(page.locator("#chat")).to_contain_text("From the facts of 2 Ofsted reports")
        expect(page.locator("#chat table tbody tr")).to_have_count(2)  # a table, not lines of pipes
        expect(page.locator("#chat table tbody tr").nth(1)).to_contain_text("Good")
        chart = page.locator("#sources .timeline svg")
        expect(chart).to_be_visible()
        dots = chart.locator(".timeline-point")
        expect(dots).to_have_count(2)
        expect(page.locator("#sources .cite-card")).to_have_count(2)
        expect(dots.nth(0).locator("title")).to_have_text("Doncaster: Inadequate, 27 November 2015 [1]")
        expect(dots.nth(1).locator("title")).to_have_text("Doncaster: Good, 19 January 2018 [2]")
        shots.take("07-timeline-chart")
        dots.nth(1).click()
        expect(page.locator("#cite-card-2")).to_have_class("cite-card cite-focus")
        expect(page.locator("#cite-card-2")).to_be_in_viewport()
        page.locator("#timeline").screenshot(path=str(tmp_path / "screenshots" / "timeline.png"))
        shutil.copy(tmp_path / "screenshots" / "timeline.png", ROOT / "screenshots" / "07-timeline-only.png")


def test_credentials_protect_the_whole_app(settings, tmp_path):
    from gradio_client import Client

    with running_app(settings, tmp_path, ASSISTANT_USER="inspector", ASSISTANT_PASSWORD="s3cret") as url:
        with pytest.raises(Exception):  # noqa: B017 - gradio_client raises a plain ValueError or HTTP error
            Client(url, verbose=False)
        client = Client(url, auth=("inspector", "s3cret"), verbose=False)
        assert client.predict("agency staff in Doncaster", api_name="/ask")["question"]


def test_a_saved_question_shows_its_new_answer_after_the_index_changes(app_url, page, settings, tmp_path):
    import docx
    from playwright.sync_api import expect

    shots = Shots(page, tmp_path / "screenshots")
    page.goto(app_url)
    expect(page.locator("#index-status")).to_contain_text("Index ready", timeout=180_000)
    question = "What did Ofsted say about Lantern House in Rotherham?"
    ask(page, question, 0)
    expect(page.locator("#sources")).to_contain_text("do not cover this")  # no report on Rotherham yet
    page.locator("#save-question").click()
    expect(page.locator("#save-outcome")).to_contain_text("Saved #1")
    panel = page.locator("#saved-panel")
    expect(panel).to_contain_text(question)

    (settings.corpus_dir / "rotherham.txt").write_text(NEW_REPORT)  # a new report arrives
    page.get_by_role("tab", name="Reports").click()
    page.locator("#rescan").click()
    expect(page.locator("#changes-table")).to_contain_text("rotherham.txt")
    expect(page.locator("#changes-table")).to_contain_text("added")
    page.get_by_role("tab", name="Ask").click()
    expect(panel).to_contain_text("New answers since you last looked (1)")
    expect(panel.locator(".saved-new")).to_contain_text("now cites rotherham.txt")
    shots.take("08-new-answers-since-you-last-looked")

    panel.locator(".saved-new").click()
    expect(page.locator("#chat")).to_contain_text("kinship carers")
    expect(page.locator("#chat")).to_contain_text("New answer")
    expect(page.locator("#sources .cite-card").first).to_contain_text("rotherham.txt")
    expect(panel).not_to_contain_text("New answers since you last looked")
    shots.take("09-saved-answer-opened")
    with page.expect_download() as download:
        page.locator("#export-docx").click()
    paragraphs = [p.text for p in docx.Document(str(download.value.path())).paragraphs]
    assert paragraphs[0] == question and "File: " + str((settings.corpus_dir / "rotherham.txt").resolve()) in paragraphs
