"""The Chinese edition (issue 23): one catalog per page, named after it; translations that keep up
with the English and keep what must not change; the glossary's first-use rule; notebooks with
their markdown in Chinese. The built book is checked in tests/test_book.py."""

import re
import shutil
import sys
from pathlib import Path

import jupytext
import nbformat
import pytest
import tomllib

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "book"))

import build  # noqa: E402
import catalogs  # noqa: E402
import markdown_messages  # noqa: E402
import terms  # noqa: E402

LANGUAGE = "zh_CN"
CATALOGS = catalogs.LOCALES / LANGUAGE / "LC_MESSAGES"
TRANSLATED = sorted(path.relative_to(CATALOGS).with_suffix("").as_posix()
                    for path in CATALOGS.rglob("*.po"))
"""Every page of the book, each held to a whole, current translation: one catalog per page, and
none for a page that is gone (`test_each_page_has_one_catalog_named_after_it`)."""
POOLING = "chapters/ch04_math/pooling"


@pytest.fixture(scope="module")
def english(tmp_path_factory) -> Path:
    """Every page of the book staged and its English messages extracted, as `catalogs` does: the
    staging folder, with ``gettext/<page>.pot`` and ``src/``."""
    root = tmp_path_factory.mktemp("english")
    build.stage(root / "src", build.all_pages())
    build.extract_messages(root, build.book_environment(root, quick=True))
    return root


@pytest.fixture(scope="module")
def templates(english) -> dict:
    return catalogs.read_templates(english / "gettext")


def page_markdown(english: Path, page: str) -> str:
    """The page's Markdown as Sphinx reads it: a script's markdown cells, or the staged file."""
    script = english / "src" / f"{page}.py"
    if script.is_file():
        return "\n\n".join(cell.source for cell in jupytext.read(script).cells
                           if cell.cell_type == "markdown")
    return (english / "src" / f"{page}.md").read_text()


def test_each_page_has_one_catalog_named_after_it(templates):
    pages = {build.page_name(script) for script in build.all_pages()}
    pages |= {f"chapters/{folder}/index" for folder in build.CHAPTERS}
    pages |= {"index", "sphinx", *build.PROSE_PAGES, *build.BACK_MATTER}
    assert set(templates) == pages
    folder = catalogs.LOCALES / LANGUAGE / "LC_MESSAGES"
    committed = {catalogs.page_of(path, folder) for path in folder.rglob("*.po")}
    assert committed <= pages, f"catalogs of pages the book does not have: {committed - pages}"


@pytest.mark.parametrize("page", TRANSLATED)
def test_a_translated_page_has_every_message_translated_from_its_current_english(
        english, templates, page):
    """A change of English prose in a translated page fails here until the catalog has the new
    translation: `python book/build.py catalogs`, then translate what it marks."""
    path = catalogs.catalog_path(LANGUAGE, page)
    status = catalogs.page_status(page, templates[page], catalogs.read_catalog(path))
    where = f"{path.relative_to(REPO)}: run `python book/build.py catalogs` and translate"
    assert not status.missing, (f"{len(status.missing)} English messages have no translation; "
                                f"{where}: {status.missing}")
    assert not status.fuzzy, (f"{len(status.fuzzy)} translations are fuzzy (their English "
                              f"changed); {where}")
    assert status.translated == status.revision, (
        f"{page}: translated from English revision {status.translated}, the English is "
        f"{status.revision} now; run `python book/build.py catalogs` to record it")


def test_every_translation_keeps_code_math_links_and_numbers():
    folder = catalogs.LOCALES / LANGUAGE / "LC_MESSAGES"
    problems = []
    for path in sorted(folder.rglob("*.po")):
        for message in catalogs.messages(catalogs.read_catalog(path)):
            if message.string and not message.fuzzy:
                for problem in catalogs.preservation_problems(message.id, message.string):
                    problems.append(f"{path.relative_to(folder)}: {message.id[:50]!r}: {problem}")
    assert not problems, "\n".join(problems)


def test_what_a_translation_must_keep():
    english = ("Keras's `tf.nn.max_pool` halves $h \\times w$ to 14x14 in 2.5 s, see "
               "[the docs](https://keras.io/api/layers/) for 1,000 images.")
    faithful = ("Keras 的 `tf.nn.max_pool` 在 2.5 秒内把 $h \\times w$ 减半为 14x14，"
                "1000 张图像见[文档](https://keras.io/api/layers/)。")
    assert catalogs.preservation_problems(english, faithful) == []
    for broken, kind in [(faithful.replace("`tf.nn.max_pool`", "tf.nn.max_pool"), "inline code"),
                         (faithful.replace("$h \\times w$", "$h w$"), "math"),
                         (faithful.replace("layers/)", "layers)"), "links"),
                         (faithful.replace("2.5", "3"), "numbers")]:
        assert [problem.split(":")[0] for problem in
                catalogs.preservation_problems(english, broken)] == [kind]
    assert catalogs.preservation_problems("the **book**", "教程**《书》**的")[0].startswith(
        "** or __ that Markdown shows as it is")
    assert catalogs.preservation_problems("the **book**", "教程《**书**》的") == []
    title = "Section 5.2 · The same LeNet step inside `fit`"
    assert catalogs.preservation_problems(
        title, "第 5 节「源代码详细实现」（§5.2）：`fit` 里的同一个 LeNet 训练步") == []
    assert catalogs.preservation_problems(title, "第 5 节「源代码详细实现」：`fit` 里的训练步")
    assert catalogs.needs_translation("Keras's `Conv2D`")
    assert not catalogs.needs_translation("4,232")
    assert not catalogs.needs_translation("`Conv2D` (2x2)")
    assert not catalogs.needs_translation("§4 数学模型和公式详细讲解举例说明")


def test_a_changed_english_sentence_makes_its_page_stale(tmp_path):
    """One sentence of the pilot page changed: its translation turns fuzzy (the old one kept for
    the translator), the page is no longer wholly translated, and the revision it was translated
    from stays the old one until the new sentence is."""
    build.stage(tmp_path / "src", [REPO / "chapters" / "ch04_math" / "pooling.py"])
    script = tmp_path / "src" / f"{POOLING}.py"
    lines = script.read_text().splitlines()
    at = next(at for at, line in enumerate(lines) if at > 1 and re.match(r"# [A-Z]", line))
    before_english = next(msgid for msgid in catalogs.translations(LANGUAGE, POOLING)
                          if msgid.startswith(lines[at][2:]))  # the page's first paragraph
    lines[at] = "# Indeed, " + lines[at][2:]
    script.write_text("\n".join(lines))
    pot_dir = build.extract_messages(tmp_path, build.book_environment(tmp_path, quick=True))
    locales = tmp_path / "locales"
    shutil.copytree(catalogs.LOCALES, locales)
    before = catalogs.status(pot_dir, LANGUAGE, locales)[POOLING]
    assert before.missing == ["Indeed, " + before_english]
    assert before.translated != before.revision
    after = catalogs.update(pot_dir, LANGUAGE, locales)[POOLING]
    assert after.missing == [] and len(after.fuzzy) == 1 and not after.current
    assert after.translated == before.translated  # the last revision wholly translated
    fuzzy = catalogs.read_catalog(catalogs.catalog_path(LANGUAGE, POOLING, locales)).get(
        after.fuzzy[0])
    assert fuzzy.string == catalogs.translations(LANGUAGE, POOLING)[before_english]  # to check
    assert catalogs.split_old_english(fuzzy) == ([], before_english)  # and its old English
    again = catalogs.update(pot_dir, LANGUAGE, locales)[POOLING]
    assert again == after and catalogs.split_old_english(catalogs.read_catalog(
        catalogs.catalog_path(LANGUAGE, POOLING, locales)).get(after.fuzzy[0]))[1] == before_english


def test_catalogs_record_the_english_revision_once_wholly_translated(tmp_path, templates):
    template = templates[POOLING]
    path = catalogs.catalog_path(LANGUAGE, POOLING, tmp_path)
    first = catalogs.merge(POOLING, template, path, LANGUAGE)
    assert first.translated is None and first.untranslated == first.total > 0
    catalog = catalogs.read_catalog(path)
    for message in catalogs.messages(catalog):
        message.string = "译文"
    path.write_bytes(catalogs.serialized(catalog))
    done = catalogs.merge(POOLING, template, path, LANGUAGE)
    assert done.current and catalogs.read_catalog(path).version == done.revision


@pytest.mark.parametrize("page", [page for page in TRANSLATED if page != "sphinx"])
def test_a_term_first_used_on_a_chinese_page_gives_its_english(english, templates, page):
    """In running text, not headings: 反向传播（backpropagation）."""
    headings = markdown_messages.heading_ids(page_markdown(english, page))
    translated = catalogs.translations(LANGUAGE, page)
    text = [translated[message.id] for message in catalogs.messages(templates[page])
            if message.id in translated and message.id not in headings]
    assert terms.first_uses_without_english(text, terms.load_terms()) == []


def test_the_first_use_rule():
    glossary = terms.load_terms()
    assert terms.first_uses_without_english(
        ["卷积神经网络（convolutional neural network）由卷积层（convolution layer）组成，"
         "神经网络（neural network）一词……", "再说卷积层和`池化`"], glossary) == []
    problems = terms.first_uses_without_english(
        ["《深度学习 原理与代码实例讲解》「反向传播」讲反向传播，", "反向传播（backpropagation）"],
        glossary)
    assert len(problems) == 1 and problems[0].startswith("反向传播 needs （backpropagation）")
    assert terms.first_uses_without_english(["多层感知器 (multilayer perceptron)"], glossary) == []
    assert terms.first_uses_without_english(["**细胞状态**（cell state）"], glossary) == []


def test_the_glossary_gives_each_wording_once_and_the_search_its_words():
    glossary = terms.load_terms()
    wordings = [word for term in glossary for word in term.wordings]
    assert len(wordings) == len(set(wordings)) and len(glossary) >= 44
    assert "过拟合\n" in terms.search_dictionary(glossary)
    assert all(term.en and term.en == term.en.strip() for term in glossary)


def test_a_chinese_title_names_the_heading_the_reader_saw(english, templates):
    """The title of a translated chapter page is 第 N 节「heading」：subject, the heading one a
    seed prints for that section (book/sections.toml, issue 20)."""
    table = REPO / "book" / "sections.toml"
    sections = {section["number"]: {heading["heading"] for heading in section["headings"]}
                for section in tomllib.loads(table.read_text())["section"]}
    for page in TRANSLATED:
        title = catalogs.messages(templates[page])[0].id
        if title.startswith("Section "):
            number = int(title.removeprefix("Section ").split(" ")[0].split(".")[0])
            chinese = catalogs.translations(LANGUAGE, page)[title]
            assert chinese.startswith(f"第 {number} 节「"), chinese
            assert chinese.split("「")[1].split("」")[0] in sections[number], chinese


def test_notebook_messages_are_the_messages_sphinx_extracts(english, templates):
    """What `make notebooks LANG=zh_CN` translates in a notebook is exactly what the book's
    catalog of the page holds, for every page."""
    for script in build.all_pages():
        page = build.page_name(script)
        sphinx = [message.id for message in catalogs.messages(templates[page])]
        ours = markdown_messages.message_ids(page_markdown(english, page))
        assert ours == sphinx, page


def test_notebooks_in_chinese(tmp_path, capsys):
    build.main(["notebooks", "--only", "ch04_math/pooling", "--out", str(tmp_path),
                "--language", LANGUAGE])
    assert capsys.readouterr().out.strip() == f"1 notebook in {tmp_path / LANGUAGE}"
    chinese = nbformat.read(tmp_path / LANGUAGE / "ch04_math" / "pooling.ipynb", as_version=4)
    english = jupytext.read(REPO / "chapters" / "ch04_math" / "pooling.py")
    assert [cell.source for cell in chinese.cells if cell.cell_type == "code"] == [
        cell.source for cell in english.cells if cell.cell_type == "code"]
    markdown = "\n".join(cell.source for cell in chinese.cells if cell.cell_type == "markdown")
    assert markdown.startswith("# 第 4 节「")
    translations = catalogs.translations(LANGUAGE, POOLING)
    assert all(chinese_text in markdown for chinese_text in translations.values())
    assert all(english_text not in markdown for english_text in translations)
    assert "$$y_{ij} = \\max" in markdown and "- `pooling.png`：" in markdown


def test_translating_markdown_keeps_its_structure():
    source = ("## Forward\n\nA long line\nwrapped once.\n\n- one item\n  wrapped\n- two\n\n"
              "| a | b | a |\n| --- | --- | --- |\n| x | a | y |\n\n$$x$$\n")
    translated = markdown_messages.translate_markdown(
        source, {"Forward": "前向", "A long line wrapped once.": "一段。",
                 "one item wrapped": "一", "a": "甲", "y": "乙"})
    assert translated == ("## 前向\n\n一段。\n\n- 一\n- two\n\n| 甲 | b | 甲 |\n"
                          "| --- | --- | --- |\n| x | 甲 | 乙 |\n\n$$x$$\n")


def test_the_notebooks_command_takes_its_options_and_refuses_others(tmp_path, capsys):
    def refusal(*args: str) -> str:
        with pytest.raises(SystemExit) as refused:
            build.main(list(args))
        assert refused.value.code == 2
        return capsys.readouterr().err

    build.main(["notebooks", "--out", str(tmp_path / "nb"), "--only", "ch04_math/neuron"])
    assert [path.relative_to(tmp_path) for path in (tmp_path / "nb").rglob("*.ipynb")] == [
        Path("nb/ch04_math/neuron.ipynb")]
    assert "unrecognized arguments: --quick" in refusal("notebooks", "--quick")
    afile = tmp_path / "afile"
    afile.write_text("")
    for command in ("notebooks", "html"):
        assert "afile is a file; give a folder" in refusal(command, "--out", str(afile))
    build.main(["scripts", "--quick", "--dry-run", "--", "--epochs", "1"])
    assert capsys.readouterr().out.startswith(
        "chapters/ch02_concepts/perceptron.py --quick --epochs 1\n")


def test_the_book_build_tells_the_kernels_they_run_in_the_book(tmp_path):
    assert build.book_environment(tmp_path, quick=True)["DLBOOK_BOOK"] == "1"


@pytest.mark.parametrize(("state", "expected"), [
    ({"current": True, "translated": "a" * 12}, "本页译自英文原文修订号 bbbbbbbbbbbb。"),
    ({"current": False, "translated": "a" * 12},
     "本页译自英文原文修订号 aaaaaaaaaaaa；英文原文现已更新为修订号 bbbbbbbbbbbb，"
     "其中 3 段尚未翻译，暂以英文显示。"),
    ({"current": False, "translated": None},
     "英文原文修订号 bbbbbbbbbbbb 共 40 段，其中 3 段尚未翻译，暂以英文显示。"),
])
def test_the_footer_says_how_far_behind_the_english_a_translation_is(state, expected):
    """Every page of the book is translated now, so the built book shows only the first state;
    the template's other two are rendered here with the Chinese of sphinx.po."""
    import jinja2
    from babel.messages.pofile import read_po

    with open(CATALOGS / "sphinx.po", "rb") as file:
        chinese = {message.id: message.string for message in read_po(file) if message.id}
    template = jinja2.Environment().from_string(
        (REPO / "book" / "_templates" / "revision.html").read_text())
    page = {"revision": "b" * 12, "untranslated": 3, "total": 40, **state}
    html = template.render(dlbook_revision=page, dlbook_language=LANGUAGE,
                           _=lambda message: chinese[message] or message)
    assert re.search(r'<p class="dlbook-revision">\s*(.*?)\s*</p>', html).group(1) == expected
