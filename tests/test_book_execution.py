"""book/execute_pages.py: the book's pages executed one per core into myst-nb's cache, each held
to its core, a page after the pages it needs, a speed page alone on every core, each found by
myst-nb afterwards, none twice."""

import os
import re
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "book"))

import execute_pages as book  # noqa: E402
from jupyter_cache import get_cache  # noqa: E402

TWO_CORES = pytest.mark.skipif(len(os.sched_getaffinity(0)) < 2, reason="needs two cores")

PAGE = """# %% [markdown]
# A page.

# %%
import os
import time
from pathlib import Path

Path("{name}.started").write_text(str(time.time()))
Path("{name}.cores").write_text(" ".join(map(str, sorted(os.sched_getaffinity(0)))))
{body}
time.sleep({seconds})
Path("{name}.ended").write_text(str(time.time()))
print("{name} ran")
"""


def write_page(root: Path, name: str, seconds: float = 0.0, body: str = "") -> Path:
    page = root / "chapters" / f"{name}.py"
    page.parent.mkdir(parents=True, exist_ok=True)
    page.write_text(PAGE.format(name=Path(name).name, seconds=seconds, body=body))
    return page


def times(page: Path, what: str) -> float:
    return float((page.parent / f"{page.stem}.{what}").read_text())


def test_every_page_that_loads_another_pages_model_waits_for_it():
    loads = re.compile(r"chapter5_model_path|trained_cnn\(|output_root\(\)")
    loaders = {f"{page.parent.name}/{page.stem}" for page in REPO.glob("chapters/ch*/*.py")
               if loads.search(page.read_text())}
    assert loaders == set(book.NEEDS)
    assert all((REPO / "chapters" / f"{needed}.py").is_file()
               for needs in book.NEEDS.values() for needed in needs)


def test_a_page_that_others_wait_for_starts_with_their_time_added():
    pages = [Path(f"chapters/{name}.py") for name in
             ("ch05_practice/cnn", "ch05_practice/dcgan", "ch05_practice/lenet_fit")]
    last = {"ch05_practice/cnn": 100.0, "ch05_practice/dcgan": 900.0,
            "ch05_practice/lenet_fit": 200.0}
    priority = book.critical_times(pages, last)
    assert priority == {"ch05_practice/cnn": 1000.0, "ch05_practice/dcgan": 900.0,
                        "ch05_practice/lenet_fit": 200.0}
    assert book.next_page(pages[::2], set(), priority) == pages[0]  # before the longer page


def test_a_speed_page_runs_with_no_other_page_beside_it():
    alone, other = Path("chapters/ch05_practice/lenet.py"), Path("chapters/ch04_math/rnn.py")
    priority = {"ch05_practice/lenet": 50.0, "ch04_math/rnn": 1.0}
    assert book.next_page([alone, other], {"ch04_math/neuron"}, priority) == other
    assert book.next_page([alone], {"ch04_math/neuron"}, priority) is None
    assert book.next_page([other], {"ch05_practice/lenet"}, priority) is None
    assert book.next_page([alone, other], set(), priority) == alone


@TWO_CORES
def test_a_speed_page_holds_every_core(tmp_path, monkeypatch):
    page = write_page(tmp_path, "one/speed")
    monkeypatch.setattr(book, "ALONE", {"one/speed"})
    book.execute_pages([page], tmp_path / "cache", dict(os.environ), 60)
    held = (page.parent / "speed.cores").read_text().split()
    assert held == [str(core) for core in sorted(os.sched_getaffinity(0))]


@pytest.fixture
def pages(tmp_path, monkeypatch):
    monkeypatch.setattr(book, "NEEDS", {"two/after": ("one/first",)})
    monkeypatch.setattr(book, "ALONE", set())
    first = write_page(tmp_path, "one/first", 1.5, 'Path("model.txt").write_text("weights")')
    after = write_page(tmp_path, "two/after", 0.0,
                       'print(Path("../one/model.txt").read_text())')
    other = write_page(tmp_path, "two/other", 1.5)
    return tmp_path, [after, first, other]


@TWO_CORES
def test_pages_run_one_per_core_each_after_the_pages_it_needs(pages, capsys):
    root, (after, first, other) = pages
    book.execute_pages([after, first, other], root / "cache", dict(os.environ), 60)
    assert times(after, "started") >= times(first, "ended")
    assert times(other, "started") < times(first, "ended")  # side by side
    held = [(page.parent / f"{page.stem}.cores").read_text().split() for page in (first, other)]
    assert len(held[0]) == len(held[1]) == 1 and held[0] != held[1]  # a core each
    assert "two/after ran in" in capsys.readouterr().out
    cache = get_cache(str(root / "cache"))
    for page in (first, other, after):  # myst-nb finds each, with its outputs and its time
        record, notebook = cache.merge_match_into_notebook(book.read_page(page))
        printed = "".join(output.get("text", "") for cell in notebook.cells
                          for output in cell.get("outputs", []))
        assert f"{page.stem} ran\n" in printed
        assert cache.get_cache_record(record).data["execution_seconds"] > 0
    assert "weights" in printed  # the last, `after`, read what the first wrote


def test_a_cached_page_is_not_run_again_and_a_changed_one_is(pages):
    root, (after, first, other) = pages
    book.execute_pages([first], root / "cache", dict(os.environ), 60)
    ran_at = times(first, "started")
    first.write_text(first.read_text().replace('print("first ran")', 'print("first ran", 2)'))
    book.execute_pages([first, other], root / "cache", dict(os.environ), 60)
    assert times(first, "started") > ran_at
    ran_at = times(first, "started")
    book.execute_pages([first], root / "cache", dict(os.environ), 60)
    assert times(first, "started") == ran_at


def test_a_failing_page_stops_the_build_naming_it_and_its_dependants_do_not_run(pages, capfd):
    root, (after, first, other) = pages
    first.write_text(first.read_text().replace("time.sleep", "1 / 0; time.sleep"))
    with pytest.raises(SystemExit, match=r"one/first\.py failed \(the traceback is above\)"):
        book.execute_pages([after, first, other], root / "cache", dict(os.environ), 60)
    assert "ZeroDivisionError" in capfd.readouterr().err
    assert not (after.parent / "after.started").exists()
    assert book.cached(get_cache(str(root / "cache")), other)
