"""Build the dlbook HTML book, or the chapter notebooks.

    python book/build.py html [--quick] [--only ch04_math/neuron ...]   (`make book [QUICK=1]`)
    python book/build.py notebooks                                      (`make notebooks`)
    python book/build.py scripts [--quick] [--dry-run] [-- FLAGS]       (`make chapters`)

``html`` stages a Sphinx source folder in ``outputs/book/<mode>/src``: the landing page and the
prose pages of this folder, the README of each chapter folder as its chapter page, and the chapter
scripts themselves, which myst-nb reads through jupytext and executes (``--quick``: each script
with ``--quick``, on subsets, in minutes; otherwise full runs, hours on a CPU). Executed pages are
cached per mode, so an interrupted build resumes where it stopped. The HTML goes to
``outputs/book/<mode>/html``; every page says which mode produced it.

``notebooks`` writes one ``.ipynb`` per chapter script to ``outputs/notebooks/`` (jupytext); the
committed sources stay the ``.py`` scripts. ``scripts`` runs every chapter script in tutorial
order, with ``--quick`` and any further flags, and stops at the first that fails.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
OUTPUTS = REPO / "outputs"
MERMAID = "mermaid@11"

CHAPTERS = {
    "ch02_concepts": "2 · Core concepts",
    "ch03_algorithm": "3 · The algorithm, step by step",
    "ch04_math": "4 · Mathematical models and formulas",
    "ch05_practice": "5 · Code practice",
    "ch06_applications": "6 · Applications",
    "ch08_trends": "8 · Trends: efficiency and scale",
    "ch09_faq": "9 · Questions and answers",
}
"""The chapter folders in tutorial order, with the title of their part of the book."""

PAGE_ORDER = {
    "ch02_concepts": ["perceptron", "activations", "family_tree", "attention", "graph_network"],
    "ch03_algorithm": ["six_steps", "initialization", "gradients", "learning_rate",
                       "overfitting"],
    "ch04_math": ["neuron", "losses", "backprop", "mlp_from_scratch", "convolution", "pooling",
                  "rnn", "lstm_gru"],
    "ch05_practice": ["environment", "mlp_binary", "cnn", "text_classifier", "lenet",
                      "lenet_fit", "mlp_images", "dcgan"],
    "ch08_trends": ["pruning", "quantization", "transfer", "distributed"],
    "ch09_faq": ["activations", "losses", "data_size"],
}
"""Pages in the order the tutorial takes them, where it is not the alphabetical order."""

PROSE_PAGES = {"background": 1, "tools": 7}
"""Sections 1 and 7 of the tutorial, prose only, by section number."""

BACK_MATTER = ["figures", "runs"]
"""The pages after the chapters: README's figures table, and each page's run time."""

SECTION_TITLES = {
    1: "Background", 2: "Core concepts and how they connect", 3: "The algorithm, step by step",
    4: "Mathematical models and formulas", 5: "Code practice", 6: "Applications",
    7: "Tools and resources", 8: "Summary: trends and challenges", 9: "FAQ",
}
"""The tutorial's nine sections."""


def chapter_pages(folder: str) -> list[Path]:
    """The scripts of a chapter folder in tutorial order (unlisted ones after, by name)."""
    scripts = {path.stem: path for path in sorted((REPO / "chapters" / folder).glob("*.py"))}
    order = [name for name in PAGE_ORDER.get(folder, []) if name in scripts]
    return [scripts[name] for name in order + [n for n in scripts if n not in order]]


def all_pages() -> list[Path]:
    return [page for folder in CHAPTERS for page in chapter_pages(folder)]


def write_notebooks(destination: Path) -> list[Path]:
    """One ``.ipynb`` per chapter script under ``destination/<chapter>/``."""
    import jupytext

    written = []
    for script in all_pages():
        target = destination / script.parent.name / f"{script.stem}.ipynb"
        target.parent.mkdir(parents=True, exist_ok=True)
        jupytext.write(jupytext.read(script), target)
        written.append(target)
    return written


def figures_section(readme: str) -> str:
    """README's "Figures" section, its links pointed at the book's pages: the results tables'
    copies, a chapter's page for its README; a link to a folder becomes its plain text."""
    match = re.search(r"^## Figures\n(.*?)(?=^## )", readme, re.S | re.M)
    if match is None:
        raise SystemExit("README.md has no '## Figures' section for the book's figures page")
    section = match.group(1).replace("benchmarks/results/", "results/")
    section = re.sub(r"\]\((chapters/ch\d\d_\w+/)README\.md\)", r"](\1index.md)", section)
    return re.sub(r"\[([^\]]+)\]\([^)]*/\)", r"\1", section)


def chapter_index(folder: str, pages: list[Path]) -> str:
    """The chapter's page: its README, then the list of its pages."""
    readme = (REPO / "chapters" / folder / "README.md").read_text()
    toc = "\n".join(page.name for page in pages)
    return f"{readme}\n\n```{{toctree}}\n:maxdepth: 1\n\n{toc}\n```\n"


def stage(source: Path, pages: list[Path]) -> None:
    """Lay out the Sphinx source folder: prose pages, chapter pages, results, figures."""
    if source.exists():
        shutil.rmtree(source)
    source.mkdir(parents=True)
    for name in ["conf.py", "run_times.py"]:
        shutil.copy(HERE / name, source / name)
    (source / "_static").mkdir()
    shutil.copy(HERE / "dlbook.css", source / "_static" / "dlbook.css")
    for name in [*PROSE_PAGES, "runs"]:
        shutil.copy(HERE / f"{name}.md", source / f"{name}.md")
    shutil.copytree(REPO / "benchmarks" / "results", source / "results")
    for table in (source / "results").glob("*.md"):  # reached from the figures page's links
        table.write_text("---\norphan: true\n---\n" + table.read_text())
    readme = (REPO / "README.md").read_text()
    (source / "figures.md").write_text("# Figures\n" + figures_section(readme))
    entries = {number: (name, "a page of prose") for name, number in PROSE_PAGES.items()}
    for folder in CHAPTERS:
        chosen = [page for page in chapter_pages(folder) if page in pages]
        if not chosen:
            continue
        target = source / "chapters" / folder
        target.mkdir(parents=True)
        for page in chosen:
            shutil.copy(page, target / page.name)
        (target / "index.md").write_text(chapter_index(folder, chosen))
        entries[int(folder[2:4])] = (f"chapters/{folder}/index",
                                     f"chapter {int(folder[2:4])}, {len(chosen)} pages")
    rows = ["| section of the tutorial | in this book |", "| --- | --- |"]
    for number, title in SECTION_TITLES.items():
        page, label = entries.get(number, (None, "not in this build"))
        where = f"[{label}]({page}.md)" if page else label
        rows.append(f"| {number} {title} | {where} |")
    index = (HERE / "index.md").read_text()
    index = index.replace("@SECTIONS@", "\n".join(rows))
    toc = [entries[number][0] for number in sorted(entries)] + BACK_MATTER
    index = index.replace("@TOC@", "\n".join(toc))
    (source / "index.md").write_text(index)


def vendor_mermaid(vendor: Path) -> None:
    """The Mermaid library (for the diagrams of chapter 2) from the npm registry, once."""
    target = vendor / "mermaid"
    if (target / "mermaid.esm.min.mjs").is_file():
        return
    npm = shutil.which("npm")
    if npm is None:
        print("book: npm not found, so the Mermaid diagrams show as text (apt-get install npm)")
        return
    with tempfile.TemporaryDirectory() as scratch:
        subprocess.run([npm, "pack", MERMAID, "--silent", "--pack-destination", scratch],
                       check=True, stdout=subprocess.DEVNULL)
        with tarfile.open(next(Path(scratch).glob("mermaid-*.tgz"))) as archive:
            archive.extractall(scratch, filter="data")
        partial = vendor / "mermaid.partial"
        shutil.rmtree(partial, ignore_errors=True)
        shutil.copytree(Path(scratch) / "package" / "dist", partial)
        partial.rename(target)


def build_html(quick: bool, only: list[str] | None, out: Path = OUTPUTS / "book") -> Path:
    """Stage, execute and render the book under ``out/<mode>``; returns the HTML folder."""
    started = time.monotonic()
    mode = "quick" if quick else "full"
    root = out / mode
    pages = all_pages()
    if only:
        known = {f"{page.parent.name}/{page.stem}": page for page in pages}
        unknown = sorted(set(only) - set(known))
        if unknown:
            raise SystemExit(f"book: unknown pages {unknown}; known: {sorted(known)}")
        pages = [known[name] for name in only]
    stage(root / "src", pages)
    vendor_mermaid(root / "vendor")
    (root / "vendor").mkdir(parents=True, exist_ok=True)
    note = ("These pages show the outputs of a QUICK run: each chapter script ran with --quick, "
            "on a small subset for an epoch or so; the figures are not the full results."
            if quick else
            "These pages show the outputs of full runs of every chapter script.")
    # The kernels myst-nb starts talk to it over localhost TCP, and ipykernel warns of that on
    # every page; a profile of the build's own keeps their log to errors (and the user's
    # IPython start-up files out of the pages). A page shows what its script prints: a cell's
    # last value is not displayed, or cells ending in save_results, save_model or a plot would
    # show the Path it returns, a folder of the build machine.
    profile = root / "ipython" / "profile_default"
    profile.mkdir(parents=True, exist_ok=True)
    (profile / "ipython_kernel_config.py").write_text(
        'c.IPKernelApp.log_level = "ERROR"\n'
        'c.InteractiveShell.ast_node_interactivity = "none"\n')
    os.environ.update({
        "IPYTHONDIR": str(root / "ipython"),
        "DLBOOK_ARGS": "--quick" if quick else "",
        "DLBOOK_OUTPUT_DIR": str(root / "runs"),
        "DLBOOK_BOOK_CACHE": str(root / "cache"),
        "DLBOOK_BOOK_VENDOR": str(root / "vendor"),
        "DLBOOK_BOOK_MODE_NOTE": note,
        "DLBOOK_BOOK_TIMEOUT": "900" if quick else "-1",
        "MPLBACKEND": "Agg",
    })
    html = root / "html"
    done = subprocess.run([sys.executable, "-m", "sphinx", "-b", "html", "-q", "-W",
                           "--keep-going", str(root / "src"), str(html)])
    if done.returncode != 0:
        raise SystemExit(f"book: sphinx-build failed (status {done.returncode}); see above")
    minutes = (time.monotonic() - started) / 60
    print(f"book ({mode}): {len(pages)} chapter pages in {html}/index.html, built in "
          f"{minutes:.1f} min (each page's run time: runs.html); to read it with its "
          f"diagrams, serve it: python -m http.server -d {html} 8000, then open "
          "http://localhost:8000 (browsers do not run the Mermaid module of a file:// page)")
    return html


def run_scripts(flags: list[str], dry_run: bool) -> None:
    """Run every chapter script in tutorial order with ``flags``; stop at the first failure."""
    for page in all_pages():
        command = [sys.executable, str(page.relative_to(REPO)), *flags]
        print(" ".join(command[1:]), flush=True)
        if not dry_run and subprocess.run(command, cwd=REPO).returncode != 0:
            raise SystemExit(f"chapters: {page.relative_to(REPO)} failed; stopped there")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("what", choices=["html", "notebooks", "scripts"])
    parser.add_argument("--quick", action="store_true", help="run each page with --quick")
    parser.add_argument("--only", nargs="+", metavar="CHAPTER/PAGE",
                        help="html: these pages only, e.g. ch04_math/neuron")
    parser.add_argument("--out", type=Path, default=OUTPUTS / "book",
                        help="html: the build folder (default outputs/book)")
    parser.add_argument("--dry-run", action="store_true", help="scripts: print, do not run")
    parser.add_argument("flags", nargs="*", help="scripts: flags passed to every script")
    args = parser.parse_args(argv)
    if args.what == "scripts":
        run_scripts([*(["--quick"] if args.quick else []), *args.flags], args.dry_run)
    elif args.what == "notebooks":
        written = write_notebooks(OUTPUTS / "notebooks")
        print(f"{len(written)} notebooks in {OUTPUTS / 'notebooks'}/")
    else:
        build_html(args.quick, args.only, args.out)


if __name__ == "__main__":
    main()
