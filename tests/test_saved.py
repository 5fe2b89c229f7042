"""The index changelog and saved questions: recorded with the change, asked again, marked new, kept on disk."""

from __future__ import annotations

import json
import subprocess

from conftest import LETTER, PYTHON, cli_env, copy_samples

ROTHERHAM = (
    "Inspection of Rotherham local authority children's services\n\nPublished: 3 March 2023\n\n"
    "Ofsted found that social workers' caseloads in Rotherham remain too high in the assessment teams.\n"
)
NEWS = "000_af3683a860673f57.txt"


def test_every_change_is_recorded_with_what_made_it(settings, make_assistant):
    copy_samples(settings.corpus_dir, [LETTER, NEWS])
    assistant = make_assistant(settings)
    assistant.index()
    (settings.corpus_dir / NEWS).write_text((settings.corpus_dir / NEWS).read_text() + "\nA line added later.\n")
    assistant.index(via="watch")
    assistant.remove(LETTER)
    changes = [(c["source"], c["change"], c["via"]) for c in assistant.store.changes()]
    assert changes == [
        (NEWS, "added", "index"),  # the corpus is read in name order
        (LETTER, "added", "index"),
        (NEWS, "changed", "watch"),
        (LETTER, "removed", "removal"),
    ]
    removed = assistant.store.changes(limit=1)[0]
    assert removed["meta"]["title"].startswith("Annual unannounced inspection") and removed["meta"]["authorities"]
    assert assistant.store.changes(since=removed["at"] + 1) == []


def test_a_saved_question_is_new_when_a_new_report_is_cited_and_others_are_left_alone(settings, make_assistant):
    copy_samples(settings.corpus_dir)
    assistant = make_assistant(settings)
    assistant.index()
    rotherham = assistant.saved.add("What did Ofsted say about caseloads in Rotherham?")
    doncaster = assistant.saved.add("agency staff", {"authority": "Doncaster"})
    assert rotherham["citations"] == [] and not rotherham["new"]
    (settings.corpus_dir / "rotherham.txt").write_text(ROTHERHAM)
    assistant.index()
    assert assistant.last_rerun.asked == [rotherham["id"]]
    assert assistant.last_rerun.skipped == [doncaster["id"]]  # a Rotherham report cannot reach a Doncaster filter
    now = assistant.saved.get(rotherham["id"])
    assert now["new"] and [c["source"] for c in now["citations"]] == ["rotherham.txt"]
    assert now["change"]["cited_now"] == ["rotherham.txt"] and now["change"]["no_longer_cited"] == []
    assert now["change"]["index_changes"][0]["source"] == "rotherham.txt"
    assert not assistant.saved.get(doncaster["id"])["new"]
    assert assistant.saved.show(rotherham["id"])["new"]  # shown as it was: new until now
    assert not assistant.saved.get(rotherham["id"])["new"]
    assistant.remove("rotherham.txt")
    gone = assistant.saved.get(rotherham["id"])
    assert gone["new"] and gone["change"]["no_longer_cited"] == ["rotherham.txt"] and gone["citations"] == []


def test_an_unchanged_index_asks_nothing_again(sample_assistant):
    saved = sample_assistant.saved.add("What did Ofsted say about agency staff in Doncaster?")
    sample_assistant.index()
    assert sample_assistant.last_rerun.asked == [] and sample_assistant.last_rerun.skipped == []
    assert sample_assistant.saved.remove(saved["id"]) and sample_assistant.saved.get(saved["id"]) is None


# A run that commits a report and is killed (kill -9) before it asks the saved questions again.
KILLED_RUN = """
import os, signal
from assistant.config import load_settings
from assistant.indexing.embeddings import Embedder
from assistant.indexing.indexer import Indexer
from assistant.indexing.store import Store

settings = load_settings()
report = Indexer(settings, Store(settings), Embedder()).sync()
assert report.added == ["rotherham.txt"], report.summary()
os.kill(os.getpid(), signal.SIGKILL)
"""


def test_saved_questions_and_changes_survive_a_kill_and_catch_up(settings, make_assistant):
    copy_samples(settings.corpus_dir, [LETTER])
    env = cli_env(settings)
    run = lambda *args: subprocess.run(  # noqa: E731
        [PYTHON, "-m", "assistant", "-q", *args], env=env, capture_output=True, text=True, timeout=300
    )
    assert run("index").returncode == 0
    assert run("saved", "add", "What did Ofsted say about caseloads in Rotherham?").returncode == 0
    (settings.corpus_dir / "rotherham.txt").write_text(ROTHERHAM)
    killed = subprocess.run([PYTHON, "-c", KILLED_RUN], env=env, capture_output=True, text=True, timeout=300)
    assert killed.returncode == -9, killed.stderr
    listed = run("saved", "list", "--json")
    assert listed.returncode == 0, listed.stderr
    (saved,) = [json.loads(line) for line in listed.stdout.splitlines()]
    assert {"id", "question", "new", "citations", "change"} <= set(saved)
    assert saved["new"] and [c["source"] for c in saved["citations"]] == ["rotherham.txt"]
    changes = [json.loads(line) for line in run("changes", "--json").stdout.splitlines()]
    assert [(c["source"], c["change"]) for c in changes] == [(LETTER, "added"), ("rotherham.txt", "added")]
    shown = run("saved", "show", str(saved["id"]))
    assert "rotherham.txt" in shown.stdout and "caseloads" in shown.stdout
    assert not json.loads(run("saved", "list", "--json").stdout)["new"]
