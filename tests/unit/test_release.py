"""Publishing a release: site and archive switch together, or not at all."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from project_copy import ProjectRoot

from lifetools.pipeline import layout, release
from lifetools.pipeline.provenance import sha256_file


def tree(folder: Path) -> dict[str, str]:
    """Hash of every file under ``folder`` (through links), by relative path."""
    folder = folder.resolve()
    return {str(p.relative_to(folder)): sha256_file(p)
            for p in sorted(folder.rglob("*")) if p.is_file()}


def make_release(root: Path, token: str, text: str, editions: tuple[str, ...]) -> release.Release:
    html = root / "stage" / token / "html"
    (html / "editions").mkdir(parents=True)
    (html / "index.html").write_text(f"<html><body>{text}</body></html>")
    archives = {}
    for eid in editions:
        folder = root / "stage" / token / "archives" / eid
        (folder / "wellbeing" / "files").mkdir(parents=True)
        (folder / "manifest.json").write_text(f'{{"edition": "{eid}", "v": "{text}"}}')
        (folder / "wellbeing" / "files" / "results.json").write_text(text)
        archives[eid] = folder
    return release.Release(token, html, archives, [{"edition": "x", "reason": text}])


@pytest.fixture
def published(tmp_path) -> Path:
    """A project with one release live: site 'one', editions 2023-24 and 2024-25."""
    with ProjectRoot(tmp_path):
        release.publish(make_release(tmp_path, "aaaa", "one", ("2023-24", "2024-25")))
    return tmp_path


def test_publish_first_release_links_site_and_editions_through_current(published):
    with ProjectRoot(published):
        assert os.readlink(layout.site_dir()) == "current/site"
        assert os.readlink(layout.editions_root()) == "current/editions"
        assert (layout.site_dir() / "index.html").read_text().count("one") == 1
        assert (layout.archive_dir("2023-24") / "manifest.json").exists()
        assert layout.corrections_log().exists()


def test_publish_copies_archived_editions_forward_byte_for_byte(published):
    with ProjectRoot(published):
        before = tree(layout.archive_dir("2023-24"))
        release.publish(make_release(published, "bbbb", "two", ("2024-25",)))
        assert tree(layout.archive_dir("2023-24")) == before
        assert (layout.archive_dir("2024-25") / "wellbeing" / "files"
                / "results.json").read_text() == "two"


@pytest.mark.parametrize("step", release.STEPS)
def test_publish_failure_at_each_step_leaves_the_old_release_whole(published, monkeypatch,
                                                                   step):
    with ProjectRoot(published):
        site, archive = tree(layout.site_dir()), tree(layout.editions_root())
        link = os.readlink(layout.current_link())

        def fail(name: str) -> None:
            if name == step:
                raise KeyboardInterrupt(f"killed at {name}")

        monkeypatch.setattr(release, "_step", fail)
        with pytest.raises(KeyboardInterrupt):
            release.publish(make_release(published, "bbbb", "two", ("2024-25",)))
        after_link = os.readlink(layout.current_link())
        if STEP_AFTER_SWITCH[step]:
            # the switch happened: the new release is complete and consistent
            assert after_link == "releases/bbbb"
            assert "two" in (layout.site_dir() / "index.html").read_text()
            assert (layout.archive_dir("2024-25") / "wellbeing" / "files"
                    / "results.json").read_text() == "two"
        else:
            assert after_link == link
            assert tree(layout.site_dir()) == site
            assert tree(layout.editions_root()) == archive
            assert not [p for p in layout.releases_dir().iterdir()
                        if p.name.startswith(".")]


STEP_AFTER_SWITCH = {"prepare": False, "archives": False, "site": False, "seal": False,
                     "switch": False, "prune": True}


#: A child that publishes release "bbbb" and SIGKILLs itself at one point: before a
#: step (``_step``), or in the middle of copying the editions forward or the site (the
#: first file copied). No ``except``, ``finally`` or clean-up of the child runs.
KILLED_CHILD = """
import os, shutil, signal, sys
from pathlib import Path
from lifetools.pipeline import release
where, stage = sys.argv[1], Path(sys.argv[2])
def kill(*_args, **_kwargs):
    os.kill(os.getpid(), signal.SIGKILL)
if where == "copying-editions":
    release._link_or_copy = kill
elif where == "copying-site":
    copytree = shutil.copytree
    def copy_site(src, dst, *args, **kw):
        if Path(dst).name == "site":
            kw["copy_function"] = kill
        return copytree(src, dst, *args, **kw)
    shutil.copytree = copy_site
else:
    release._step = lambda name: kill() if name == where else None
release.publish(release.Release("bbbb", stage / "html",
                                {"2024-25": stage / "archives" / "2024-25"}, []))
"""


@pytest.mark.slow  # a child process importing lifetools per case
@pytest.mark.parametrize("where", [*release.STEPS, "copying-editions", "copying-site"])
def test_publish_sigkill_at_each_step_leaves_the_old_release_whole_and_the_next_publishes(
        published, where):
    """A real kill (SIGKILL: no clean-up runs) at each publish step and in the middle of
    the copies leaves the previous release live and whole, or, after the switch, the new
    one complete; the next publish clears what the dead process left."""
    with ProjectRoot(published):
        site, archive = tree(layout.site_dir()), tree(layout.editions_root())
        link = os.readlink(layout.current_link())
        make_release(published, "bbbb", "two", ("2024-25",))
        done = subprocess.run(
            [sys.executable, "-c", KILLED_CHILD, where, str(published / "stage" / "bbbb")],
            env={**os.environ, "LIFETOOLS_PROJECT_ROOT": str(published)},
            capture_output=True, text=True, check=False)
        assert done.returncode == -signal.SIGKILL, done.stderr
        if STEP_AFTER_SWITCH.get(where, False):
            assert os.readlink(layout.current_link()) == "releases/bbbb"
            assert "two" in (layout.site_dir() / "index.html").read_text()
            assert (layout.archive_dir("2024-25") / "wellbeing" / "files"
                    / "results.json").read_text() == "two"
            assert tree(layout.archive_dir("2023-24")) == {
                k.removeprefix("2023-24/"): v for k, v in archive.items()
                if k.startswith("2023-24/")}
        else:
            assert os.readlink(layout.current_link()) == link
            assert tree(layout.site_dir()) == site
            assert tree(layout.editions_root()) == archive
        release.publish(make_release(published, "cccc", "three", ("2024-25",)))
        assert os.readlink(layout.current_link()) == "releases/cccc"
        assert "three" in (layout.site_dir() / "index.html").read_text()
        assert not [p.name for p in layout.releases_dir().iterdir()
                    if p.name.startswith(".")]


def test_publish_same_token_twice_makes_a_second_release(published):
    with ProjectRoot(published):
        release.publish(make_release(published, "aaaa-x", "two", ()))
        release.publish(make_release(published / "again", "aaaa-x", "three", ()))
        assert os.readlink(layout.current_link()) == "releases/aaaa-x-2"
        assert sorted(p.name for p in layout.releases_dir().iterdir()) == [
            "aaaa-x", "aaaa-x-2"]


def test_publish_replaces_a_site_folder_from_before_releases(tmp_path):
    with ProjectRoot(tmp_path):
        (layout.editions_root() / "2023-24").mkdir(parents=True)
        (layout.editions_root() / "2023-24" / "manifest.json").write_text("{}")
        (layout.site_dir()).mkdir()
        release.publish(make_release(tmp_path, "cccc", "one", ("2024-25",)))
        assert (layout.archive_dir("2023-24") / "manifest.json").read_text() == "{}"
        assert layout.site_dir().is_symlink() and layout.editions_root().is_symlink()


def test_stamp_draft_marks_every_page(tmp_path):
    for name in ("index.html", "editions/a.html"):
        page = tmp_path / name
        page.parent.mkdir(parents=True, exist_ok=True)
        page.write_text('<html><head><title>T</title></head><body class="x">text</body>')
    assert release.stamp_draft(tmp_path) == 2
    for page in tmp_path.rglob("*.html"):
        text = page.read_text()
        assert 'body class="x"><div class="lifetools-draft"' in text
        assert "<title>DRAFT: T</title>" in text


def test_freeze_archived_pages_copies_the_released_pages(tmp_path):
    with ProjectRoot(tmp_path):
        snapshot = layout.archive_html("2023-24")
        snapshot.mkdir(parents=True)
        (snapshot / "index.html").write_text("as released")
        html = tmp_path / "html"
        (html / "editions" / "2023-24").mkdir(parents=True)
        (html / "editions" / "2023-24" / "index.html").write_text("re-rendered")
        (html / "editions" / "2023-24" / "extra.html").write_text("new page")
        assert release.freeze_archived_pages(html, ["2023-24", "2022-23"]) == ["2023-24"]
        assert tree(html / "editions" / "2023-24") == tree(snapshot)


def test_mark_archived_links_the_same_page_of_the_current_edition(tmp_path):
    from lifetools.pipeline.release import mark_archived, unmark_archived

    page = '<body><article class="bd-article"><h1>Wellbeing</h1></article></body>'
    for eid in ("2023-24", "2024-25"):
        (tmp_path / "editions" / eid).mkdir(parents=True)
        (tmp_path / "editions" / eid / "wellbeing.html").write_text(page)
    (tmp_path / "editions" / "2023-24" / "old.html").write_text(page)
    assert mark_archived(tmp_path, ["2023-24"], current="2024-25",
                         title="2024-25 edition") == 2
    marked = (tmp_path / "editions" / "2023-24" / "wellbeing.html").read_text()
    assert 'superseded by <a href="../2024-25/wellbeing.html">the 2024-25 edition</a>' \
        in marked
    assert 'href="../2024-25/index.html"' in (
        tmp_path / "editions" / "2023-24" / "old.html").read_text()
    assert unmark_archived(marked) == page
    mark_archived(tmp_path, ["2023-24"], current="2024-25", title="2024-25 edition")
    again = (tmp_path / "editions" / "2023-24" / "wellbeing.html").read_text()
    assert again == marked  # marking twice leaves one banner
