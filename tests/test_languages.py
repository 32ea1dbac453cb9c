"""Choosing the language, the catalogues' completeness, and the command line in Chinese.

The catalogue checks read the .po files with Babel (a build tool, in the test
extra): every message has a translation in both Chinese catalogues, with the
same placeholders as the English; the compiled .mo files say what the .po files
say; every message the code and the command line use is in the catalogues; and
the glossary's terms are translated as the glossary says.
"""

from __future__ import annotations

import gettext
import re
import string

import pytest
from babel.messages.pofile import read_po
from typer.testing import CliRunner

from sim.cli import app
from sim.languages import LANGUAGES, LanguageError, choose_language, translated
from sim.languages.build import TRANSLATED, catalogue_path, extract
from sim.languages.catalogue import _
from sim.languages.glossary import read_glossary
from sim.languages.sentences import translate_sentence

# -- choosing -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("environ", "expected"),
    [
        ({}, "en"),
        ({"LANG": "zh_CN.UTF-8"}, "zh-Hans"),
        ({"LANG": "zh_SG.UTF-8"}, "zh-Hans"),
        ({"LANG": "zh_TW.UTF-8"}, "zh-Hant"),
        ({"LANG": "zh_HK.UTF-8"}, "zh-Hant"),
        ({"LC_ALL": "zh_MO.UTF-8", "LANG": "en_US.UTF-8"}, "zh-Hant"),
        ({"LANGUAGE": "fr:zh_TW", "LANG": "en_US.UTF-8"}, "zh-Hant"),
        ({"LANG": "fr_FR.UTF-8"}, "en"),
        ({"LANG": "C.UTF-8"}, "en"),
        ({"FEESIM_LANG": "zh-Hant", "LANG": "zh_CN.UTF-8"}, "zh-Hant"),
    ],
)
def test_the_language_comes_from_feesim_lang_else_the_locale_else_english(environ, expected) -> None:
    assert choose_language(None, environ) == expected


def test_the_option_wins_over_the_environment() -> None:
    assert choose_language("zh-Hans", {"FEESIM_LANG": "zh-Hant", "LANG": "zh_TW"}) == "zh-Hans"
    assert choose_language("zh_TW.UTF-8", {}) == "zh-Hant"
    assert choose_language("en", {"LANG": "zh_CN.UTF-8"}) == "en"


@pytest.mark.parametrize(
    ("value", "nearest"), [("fr", "en"), ("zh-Hanx", "zh-Hans"), ("zh-Hantt", "zh-Hant")]
)
def test_a_language_feesim_does_not_speak_is_bad_input_naming_the_nearest(value, nearest) -> None:
    with pytest.raises(LanguageError) as raised:
        choose_language(value, {})
    assert raised.value.nearest == nearest


def test_an_unknown_language_exits_2_in_english_and_the_nearest_language() -> None:
    result = CliRunner().invoke(app, ["--lang", "zh-Hanx", "run", "x.yaml"])
    assert result.exit_code == 2
    assert "unknown language 'zh-Hanx'" in result.output
    assert "未知语言" in result.output
    english_only = CliRunner().invoke(app, ["run", "--lang", "fr"])
    assert english_only.exit_code == 2 and "unknown language 'fr'" in english_only.output
    assert "未知" not in english_only.output


def test_feesim_lang_picks_the_language_of_the_help() -> None:
    result = CliRunner().invoke(app, ["--help"], env={"FEESIM_LANG": "zh-Hant", "COLUMNS": "100"})
    assert result.exit_code == 0
    assert "選項" in result.output and "命令" in result.output


def test_the_lang_option_goes_before_or_after_the_command() -> None:
    for args in (["--lang", "zh-Hans", "run", "--help"], ["run", "--help", "--lang=zh-Hans"]):
        result = CliRunner().invoke(app, args, env={"COLUMNS": "100"})
        assert result.exit_code == 0, result.output
        assert "用法" in result.output and "选项" in result.output


def test_typer_s_own_errors_are_translated() -> None:
    result = CliRunner().invoke(app, ["--lang", "zh-Hans", "run", "scenarios/baseline.yaml", "--reps", "x"])
    assert result.exit_code == 2
    assert "'--reps' 的值无效" in result.output, result.output


def test_sentences_of_other_libraries_are_translated_by_pattern() -> None:
    with translated("zh-Hans"):
        assert translate_sentence("Input should be greater than or equal to 1") == "应至少为 1"
        assert translate_sentence("Missing argument 'SCENARIO'.") == "缺少参数 'SCENARIO'。"
        assert translate_sentence("Something no pattern knows.") == "Something no pattern knows."
    english = "Input should be greater than or equal to 1"
    assert translate_sentence(english) == english


# -- the catalogues -------------------------------------------------------------------------------------


def _catalogue(language: str):
    with catalogue_path(language).open("rb") as handle:
        return read_po(handle)


def _fields(text: str) -> list[str]:
    """Return the placeholders of a message: {name} fields (sorted) and %-style ones."""
    braces = sorted(name for _, name, _, _ in string.Formatter().parse(text) if name is not None)
    percent = sorted(re.findall(r"%(?:\([a-z_]+\))?[sd]", text))
    return braces + percent


@pytest.mark.parametrize("language", TRANSLATED)
def test_every_message_has_a_translation_with_the_same_placeholders(language: str) -> None:
    missing, differ = [], []
    for message in _catalogue(language):
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if not all(strings) or message.fuzzy:
            missing.append(ids[0])
            continue
        if any(_fields(s) != _fields(ids[-1]) and _fields(s) != _fields(ids[0]) for s in strings):
            differ.append(ids[0])
    assert not missing, f"{len(missing)} messages lack a {language} translation, e.g. {missing[:5]}"
    assert not differ, f"placeholders differ from the English in {differ[:5]}"


def test_every_message_the_code_and_the_command_line_use_is_in_the_catalogues() -> None:
    wanted = {m.id if isinstance(m.id, str) else m.id[0] for m in extract() if m.id}
    for language in TRANSLATED:
        present = {m.id if isinstance(m.id, str) else m.id[0] for m in _catalogue(language) if m.id}
        absent = sorted(wanted - present)
        assert not absent, f"run python -m sim.languages.build: {language} lacks {absent[:5]}"


@pytest.mark.parametrize("language", TRANSLATED)
def test_the_compiled_catalogue_says_what_the_po_file_says(language: str) -> None:
    with catalogue_path(language, ".mo").open("rb") as handle:
        compiled = gettext.GNUTranslations(handle)
    for message in _catalogue(language):
        if message.id and isinstance(message.id, str) and message.string:
            assert compiled.gettext(message.id) == message.string, message.id


def test_the_catalogues_translate_every_term_as_the_glossary_does() -> None:
    terms = read_glossary()
    english = [t.english for t in terms]
    assert len(english) == len(set(english)), "a term is in the glossary twice"
    assert len(terms) >= 60
    for language, column in (("zh-Hans", "hans"), ("zh-Hant", "hant")):
        with translated(language):
            wrong = [t.english for t in terms if _(t.english) != getattr(t, column)]
        assert not wrong, f"{language}: the catalogue disagrees with docs/glossary.md on {wrong[:5]}"


def test_every_language_is_one_gettext_can_load() -> None:
    for language in LANGUAGES:
        with translated(language):
            assert _("Options")


def test_a_translated_block_speaks_for_its_own_task_only() -> None:
    """Two requests in two languages, their blocks interleaved, each keep theirs and leave English behind.

    The playground answers requests concurrently in one process: a process-wide
    language restored in the wrong order would leave the server (and every later
    test in the process) speaking the last request's language.
    """
    import asyncio

    from sim.languages import active

    async def request(language: str, entered: asyncio.Event, other: asyncio.Event) -> list[str]:
        heard = []
        with translated(language):
            entered.set()
            await other.wait()  # the other request enters its block while this one is inside
            heard.append(_("Days to 80%"))
            await asyncio.sleep(0)
        heard.append(active())
        return heard

    async def classroom() -> list[list[str]]:
        hans, hant = asyncio.Event(), asyncio.Event()
        return await asyncio.gather(request("zh-Hans", hans, hant), request("zh-Hant", hant, hans))

    with translated("zh-Hans"):
        simplified = _("Days to 80%")
    with translated("zh-Hant"):
        traditional = _("Days to 80%")
    assert simplified != traditional != "Days to 80%"
    assert asyncio.run(classroom()) == [[simplified, "en"], [traditional, "en"]]
    assert active() == "en"


def test_a_command_line_run_inside_a_translated_block_leaves_the_block_speaking_its_language() -> None:
    from sim.languages import active

    with translated("zh-Hant"):
        result = CliRunner().invoke(app, ["--lang", "zh-Hans", "--help"])
        assert result.exit_code == 0 and "用法" in result.output
        assert active() == "zh-Hant"
    assert active() == "en"
