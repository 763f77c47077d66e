"""Build the dlbook HTML book, or the chapter notebooks, in English or also in Chinese.

    python book/build.py html [--quick] [--only ch04_math/neuron ...] [--out DIR] [--language zh_CN]
                                                         (`make book [QUICK=1] [LANG=zh_CN]`)
    python book/build.py notebooks [--only ...] [--out DIR] [--language zh_CN]
                                                         (`make notebooks [LANG=zh_CN]`)
    python book/build.py scripts [--quick] [--dry-run] [--chapter chNN] [-- FLAGS]
                                                   (`make chapters`, `make chNN`)
    python book/build.py catalogs [--language zh_CN]     (after a change of the English prose)

``html`` stages a Sphinx source folder in ``outputs/book/<mode>/src``: the landing page and the
prose pages of this folder, the glossary, the README of each chapter folder as its chapter page,
and the chapter scripts themselves, which myst-nb reads through jupytext (``--quick``: each
script with ``--quick``, on subsets, in minutes; otherwise full runs, over half an hour on 2
cores). The pages are executed one per core into myst-nb's cache first (book/execute_pages.py),
and the cache is kept per mode, so an interrupted build resumes where it stopped. The
HTML goes to ``outputs/book/<mode>/html``; every page says which mode produced it. With
``--language zh_CN`` the Chinese edition follows in ``html/zh_CN/``: the same pages rendered with
the translations of ``book/locales/`` and the English build's executed outputs, from the cache.

``notebooks`` writes one ``.ipynb`` per chapter script to ``outputs/notebooks/`` (jupytext; with
``--language zh_CN``, to ``outputs/notebooks/zh_CN/`` with the markdown cells translated); the
committed sources stay the ``.py`` scripts. ``scripts`` runs every chapter script in tutorial
order, with ``--quick`` and any further flags, and stops at the first that fails. ``catalogs``
brings the translations' catalogs up to the English of every page and of the messages the
exercises print (book/catalogs.py), and says what is left to translate.
"""

from __future__ import annotations

import argparse
import json
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
sys.path.insert(0, str(HERE))  # the modules beside this file, also when runpy runs it (the tests)

import catalogs  # noqa: E402
from editions import EDITIONS, edition_root  # noqa: E402
from execute_pages import execute_pages  # noqa: E402
from markdown_messages import translate_markdown  # noqa: E402

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

BACK_MATTER = ["figures", "glossary", "runs"]
"""The pages after the chapters: README's figures table, the tutorial's terms, each page's run
time."""

BOOK_FILES = ["conf.py", "run_times.py", "terms.py", "editions.py", "glossary.toml"]
"""The configuration and extensions of the book, staged beside its pages."""

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


def page_name(script: Path) -> str:
    """A chapter script's page in the book: ``chapters/ch04_math/pooling``."""
    return f"chapters/{script.parent.name}/{script.stem}"


def chosen_pages(only: list[str] | None) -> list[Path]:
    """Every chapter script, or the ones ``only`` names as ``chapter/page``."""
    pages = all_pages()
    if not only:
        return pages
    known = {f"{page.parent.name}/{page.stem}": page for page in pages}
    unknown = sorted(set(only) - set(known))
    if unknown:
        raise SystemExit(f"book: unknown pages {unknown}; known: {sorted(known)}")
    return [known[name] for name in only]


def write_notebooks(destination: Path, pages: list[Path], language: str = "en") -> list[Path]:
    """One ``.ipynb`` per chapter script under ``destination/<chapter>/`` (a translation: under
    ``destination/<language>/<chapter>/``, its markdown cells from the page's catalog)."""
    import jupytext

    written = []
    for script in pages:
        notebook = jupytext.read(script)
        if language != "en":
            translations = catalogs.translations(language, page_name(script))
            for cell in notebook.cells:
                if cell.cell_type == "markdown":
                    cell.source = translate_markdown(cell.source, translations)
        target = destination / edition_root(language) / script.parent.name / f"{script.stem}.ipynb"
        target.parent.mkdir(parents=True, exist_ok=True)
        jupytext.write(notebook, target)
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
    for name in BOOK_FILES:
        shutil.copy(HERE / name, source / name)
    shutil.copytree(HERE / "_templates", source / "_templates")
    shutil.copytree(HERE / "locales", source / "locales", ignore=shutil.ignore_patterns("*.mo"))
    (source / "_static").mkdir()
    shutil.copy(HERE / "dlbook.css", source / "_static" / "dlbook.css")
    for name in [*PROSE_PAGES, "glossary", "runs"]:
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
        entries[int(folder[2:4])] = (f"chapters/{folder}/index", f"chapter {int(folder[2:4])}")
    rows = ["| section of the tutorial | in this book |", "| --- | --- |"]
    for number, title in SECTION_TITLES.items():  # a build of a few pages (--only): "—" elsewhere
        page, label = entries.get(number, (None, "—"))
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


def book_environment(root: Path, quick: bool) -> dict[str, str]:
    """The environment of the Sphinx builds of ``root``, and of the kernels that run the pages."""
    # The kernels myst-nb starts talk to it over localhost TCP, and ipykernel warns of that on
    # every page; a profile of the build's own keeps their log to errors (and the user's
    # IPython start-up files out of the pages). A page shows what its script prints: a cell's
    # last value is not displayed, or cells ending in page.record, save_model or a plot would
    # show the Path it returns, a folder of the build machine.
    profile = root / "ipython" / "profile_default"
    profile.mkdir(parents=True, exist_ok=True)
    (profile / "ipython_kernel_config.py").write_text(
        'c.IPKernelApp.log_level = "ERROR"\n'
        'c.InteractiveShell.ast_node_interactivity = "none"\n')
    (root / "vendor").mkdir(parents=True, exist_ok=True)
    return {
        **os.environ,
        "IPYTHONDIR": str(root / "ipython"),
        "DLBOOK_ARGS": "--quick" if quick else "",
        "DLBOOK_BOOK": "1",  # a page that shows more in the book (exercises: their solutions)
        "DLBOOK_OUTPUT_DIR": str(root / "runs"),
        "DLBOOK_BOOK_CACHE": str(root / "cache"),
        "DLBOOK_BOOK_VENDOR": str(root / "vendor"),
        "DLBOOK_BOOK_MODE": "quick" if quick else "full",
        "DLBOOK_BOOK_TIMEOUT": "900" if quick else "-1",
        "MPLBACKEND": "Agg",
    }


def sphinx(builder: str, root: Path, out: Path, env: dict[str, str], *settings: str) -> None:
    """One Sphinx build of ``root/src`` into ``out``, warnings as errors."""
    doctrees = root / "doctrees" / out.relative_to(root).as_posix().replace("/", "-")
    command = [sys.executable, "-m", "sphinx", "-b", builder, "-q", "-W", "--keep-going",
               "-d", str(doctrees), *settings, str(root / "src"), str(out)]
    done = subprocess.run(command, env=env)
    if done.returncode != 0:
        raise SystemExit(f"book: sphinx-build -b {builder} failed (status {done.returncode}); "
                         "see above")


def extract_messages(root: Path, env: dict[str, str]) -> Path:
    """The English messages of every page staged in ``root/src``, one template per page
    (``root/gettext/<page>.pot``), extracted without running any page."""
    out = root / "gettext"
    shutil.rmtree(out, ignore_errors=True)
    sphinx("gettext", root, out, {**env, "DLBOOK_BOOK_EXECUTION": "off"})
    return out


def build_html(quick: bool, only: list[str] | None, out: Path = OUTPUTS / "book",
               language: str = "en") -> Path:
    """Stage, execute and render the book under ``out/<mode>`` (a ``language`` other than
    English: its edition too, in ``html/<language>/``); returns the English HTML folder."""
    started = time.monotonic()
    mode = "quick" if quick else "full"
    root = out / mode
    pages = chosen_pages(only)
    stage(root / "src", pages)
    vendor_mermaid(root / "vendor")
    env = book_environment(root, quick)
    languages = ["en"] if language == "en" else ["en", language]
    revisions = catalogs.status(extract_messages(root, env), language)
    (root / "revisions.json").write_text(json.dumps(
        {page: status.for_footer() for page, status in revisions.items()}, indent=1))
    env.update(DLBOOK_BOOK_LANGUAGES=" ".join(languages),
               DLBOOK_BOOK_REVISIONS=str(root / "revisions.json"))
    execute_pages([root / "src" / "chapters" / page.parent.name / page.name for page in pages],
                  root / "cache", env, int(env["DLBOOK_BOOK_TIMEOUT"]))
    html, minutes = root / "html", {}
    for edition in languages:
        began = time.monotonic()
        sphinx("html", root, html / edition_root(edition), env, "-D", f"language={edition}")
        minutes[edition] = (time.monotonic() - began) / 60
    print(f"book ({mode}): {len(pages)} chapter pages in {html}/index.html, built in "
          f"{(time.monotonic() - started) / 60:.1f} min (each page's run time: runs.html); to "
          f"read it with its diagrams, serve it: python -m http.server -d {html} 8000, then open "
          "http://localhost:8000 (browsers do not run the Mermaid module of a file:// page)")
    if language != "en":
        current = sum(status.current for status in revisions.values())
        index = html / edition_root(language) / "index.html"
        print(f"book ({mode}): {EDITIONS[language]} in {index}, rendered in "
              f"{minutes[language]:.1f} min after the English edition's {minutes['en']:.1f} "
              f"(the outputs are the English build's); {current} of "
              f"{len(revisions)} pages wholly translated (book/build.py catalogs: what is left)")
    return html


def update_catalogs(language: str) -> None:
    """Bring the catalogs of ``language`` up to the English of every page, and say what is
    left to translate."""
    with tempfile.TemporaryDirectory() as scratch:
        root = Path(scratch)
        stage(root / "src", all_pages())
        done = catalogs.update(extract_messages(root, book_environment(root, quick=True)),
                               language)
    for page, status in done.items():
        left = f"{len(status.missing)} new, {len(status.fuzzy)} fuzzy"
        print(f"{page:44} {status.total:4} messages  "
              f"{'translated' if status.current else left}")
    print(f"catalogs: {sum(s.current for s in done.values())} of {len(done)} pages wholly "
          f"translated, {sum(s.untranslated for s in done.values())} of "
          f"{sum(s.total for s in done.values())} messages to translate, in "
          f"{catalogs.LOCALES.relative_to(REPO) / language / 'LC_MESSAGES'}/")
    printed = catalogs.update_code(language)
    left = f"{len(printed.missing)} new, {len(printed.fuzzy)} fuzzy"
    print(f"catalogs: what the exercises print, {printed.total} messages, "
          f"{'translated' if printed.current else left}, in "
          f"{catalogs.code_catalog_path(language).relative_to(REPO)} (and its .mo)")


def run_scripts(flags: list[str], dry_run: bool, chapter: str | None = None) -> None:
    """Run every chapter script (of ``chapter``, e.g. ``ch04``) in tutorial order, each with the
    ``flags`` it takes; stop at the first failure."""
    for page in all_pages():
        if chapter and not page.parent.name.startswith(f"{chapter}_"):
            continue
        kept, left_out = flags_of_page(page, flags)
        command = [sys.executable, str(page.relative_to(REPO)), *kept]
        print(" ".join(command[1:]) + (f"   ({page.stem} takes no {', '.join(left_out)})"
                                       if left_out else ""), flush=True)
        if not dry_run and subprocess.run(command, cwd=REPO).returncode != 0:
            raise SystemExit(f"chapters: {page.relative_to(REPO)} failed; stopped there")


def flags_of_page(page: Path, flags: list[str]) -> tuple[list[str], list[str]]:
    """``flags`` cut to those ``page`` takes (`dlbook.cli.page_flags`: a page that trains
    nothing has no ``--epochs``), and the names of those left out."""
    from dlbook.cli import page_flags

    taken = page_flags(page)
    groups: list[list[str]] = []
    for token in flags:
        if token.startswith("--") or not groups:
            groups.append([token])
        else:
            groups[-1].append(token)
    kept = [token for group in groups if group[0].split("=")[0] in taken for token in group]
    return kept, [group[0].split("=")[0] for group in groups if group[0].split("=")[0] not in taken]


def folder(name: str) -> Path:
    """An ``--out`` that is a folder, or not there yet."""
    path = Path(name)
    if path.exists() and not path.is_dir():
        raise argparse.ArgumentTypeError(f"{name} is a file; give a folder")
    return path


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="what", required=True)
    html = commands.add_parser("html", help="the HTML book")
    notebooks = commands.add_parser("notebooks", help="one .ipynb per chapter script")
    scripts = commands.add_parser("scripts", help="run every chapter script in tutorial order")
    translations = commands.add_parser("catalogs", help="update the translations' catalogs")
    for command in (html, scripts):
        command.add_argument("--quick", action="store_true", help="run each page with --quick")
    for command, default in ((html, OUTPUTS / "book"), (notebooks, OUTPUTS / "notebooks")):
        command.add_argument("--only", nargs="+", metavar="CHAPTER/PAGE",
                             help="these pages only, e.g. ch04_math/neuron")
        command.add_argument("--out", type=folder, default=default,
                             help=f"the folder to write into (default {default.relative_to(REPO)})")
    for command in (html, notebooks):
        command.add_argument("--language", choices=list(EDITIONS), default="en",
                             help="also (html) or instead (notebooks) the edition in this "
                                  "language")
    translations.add_argument("--language", choices=[name for name in EDITIONS if name != "en"],
                              default="zh_CN", help="the translation to update")
    scripts.add_argument("--dry-run", action="store_true", help="print, do not run")
    scripts.add_argument("--chapter", help="the pages of this chapter only, e.g. ch04")
    scripts.add_argument("flags", nargs="*", help="flags passed to every script, after --")
    args = parser.parse_args(argv)
    if args.what == "scripts":
        run_scripts([*(["--quick"] if args.quick else []), *args.flags], args.dry_run,
                    args.chapter)
    elif args.what == "notebooks":
        written = write_notebooks(args.out, chosen_pages(args.only), args.language)
        print(f"{len(written)} notebook{'s' * (len(written) != 1)} in "
              f"{args.out / edition_root(args.language)}")
    elif args.what == "catalogs":
        update_catalogs(args.language)
    else:
        build_html(args.quick, args.only, args.out, args.language)


if __name__ == "__main__":
    main()
