"""Issue 24 parts 1-2: claims, speakers, titles and dates in Russian, Ukrainian, Belarusian and
Polish; language identification; hostile input. Texts are written for these tests."""

from __future__ import annotations

import datetime as dt
import time
from pathlib import Path

import pytest

from factdesk.claims.dates import dateline_date, find_date, find_dates
from factdesk.claims.slavic import SlavicAttributor, find_quotes
from factdesk.lang import cyrillic_hint, detect

ROOT = Path(__file__).resolve().parents[2]

RU_STATEMENT = """Заявление МИД Республики Беларусь

Минск, 14 декабря 2021 года

Официальный представитель МИД Беларуси Анатолий Глаз заявил, что ответственность за кризис на границе несут страны НАТО.

«За последние десять лет страны НАТО превратились в машину по производству беженцев», — подчеркнул Глаз.

По словам дипломата, с начала ноября в логистическом центре разместили более 2 тысяч человек.

Мы и дальше будем защищать наши интересы.
"""

UK_STATEMENT = """Коментар МЗС України

Київ, 15 грудня 2021 року

Речник МЗС України Олег Ніколенко заявив, що Білорусь штучно створила міграційну кризу на кордоні з Польщею.

«Режим Лукашенка використовує мігрантів як зброю проти Європейського Союзу», — наголосив Ніколенко.

За словами дипломата, у листопаді біля пункту пропуску перебували понад 4 тисячі людей.
"""


@pytest.fixture(scope="module")
def ru_extractor():
    # The English parts are stand-ins (no spaCy model, no ONNX scorer): this text never reaches them.
    import spacy
    from claims_fixtures import NumberScorer

    from factdesk.claims import ClaimExtractor

    nlp = spacy.blank("en")
    nlp.add_pipe("sentencizer")
    return ClaimExtractor(nlp=nlp, scorer=NumberScorer(), top=10)


def _by_text(res, start: str):
    hits = [c for c in res if c.claim.text.startswith(start)]
    assert hits, [c.claim.text for c in res]
    return hits[0]


def test_russian_statement_claim_speaker_title_date(ru_extractor):
    res = ru_extractor.run(RU_STATEMENT)
    assert res.language == "ru" and not res.english
    reported = _by_text(res, "Ответственность за кризис")
    c = reported.claim
    # the claim box holds the speaker's words, never the reporter's wrapper
    assert c.text == "Ответственность за кризис на границе несут страны НАТО."
    assert "заявил" not in c.text and c.paraphrase and reported.kind == "reported"
    assert (c.speaker, c.speaker_title) == ("Анатолий Глаз", "официальный представитель МИД Беларуси")
    assert c.date == dt.date(2021, 12, 14) and c.date_source == "dateline"
    assert c.language == "ru"
    quote = _by_text(res, "За последние десять лет")
    assert quote.kind == "quote" and quote.claim.speaker == "Анатолий Глаз"  # "Глаз" resolves to the full name
    assert quote.claim.quote and "подчеркнул" not in quote.claim.text
    # "По словам дипломата" is the person last named in that role
    according = _by_text(res, "С начала ноября")
    assert according.claim.speaker == "Анатолий Глаз"


def test_russian_statement_without_ner_uses_capitalised_names():
    at = SlavicAttributor(lang="ru", ner=None)
    at.register_names(RU_STATEMENT)
    para = RU_STATEMENT.split("\n\n")[2]
    a = at.attribute_paragraph(para, 0).attribute(0, len(para))
    assert (a.speaker, a.speaker_title, a.date) == (
        "Анатолий Глаз",
        "официальный представитель МИД Беларуси",
        dt.date(2021, 12, 14),
    )


def test_ukrainian_statement(ru_extractor):
    res = ru_extractor.run(UK_STATEMENT)
    assert res.language == "uk"
    c = _by_text(res, "Білорусь штучно створила").claim
    assert (c.speaker, c.speaker_title) == ("Олег Ніколенко", "речник МЗС України")
    assert c.date == dt.date(2021, 12, 15) and c.language == "uk"
    q = _by_text(res, "Режим Лукашенка")
    assert q.kind == "quote" and q.claim.speaker == "Олег Ніколенко"
    # a speaker's words with a future or a wish rank below checkable figures, but are not dropped
    assert _by_text(res, "У листопаді").claim.speaker == "Олег Ніколенко"


def test_polish_and_belarusian_speakers():
    pl = "Rzeczniczka Straży Granicznej Anna Michalska powiedziała, że w październiku odnotowano 17 tysięcy prób."
    at = SlavicAttributor(lang="pl", ner=None)
    at.register_names(pl)
    a = at.attribute_paragraph(pl, 0).attribute(0, len(pl))
    assert (a.speaker, a.speaker_title) == ("Anna Michalska", "rzeczniczka Straży Granicznej")
    assert a.text == "W październiku odnotowano 17 tysięcy prób."
    be = "«Беларусь прыняла больш за 2 тысячы мігрантаў», — падкрэсліў афіцыйны прадстаўнік МЗС Анатоль Глаз."
    at = SlavicAttributor(lang="be", ner=None)
    a = at.attribute_paragraph(be, 0).attribute(0, len(be))
    assert (a.kind, a.speaker, a.speaker_title) == ("quote", "Анатоль Глаз", "афіцыйны прадстаўнік МЗС")
    assert a.text == "Беларусь прыняла больш за 2 тысячы мігрантаў."


def test_example_statement_end_to_end(ru_extractor):
    text = (ROOT / "examples" / "multilingual" / "mfa-statement-ru.txt").read_text(encoding="utf-8")
    res = ru_extractor.run(text)
    speakers = {c.claim.speaker for c in res}
    assert "Анатолий Глаз" in speakers and "МИД Беларуси" in speakers
    assert all(c.claim.date == dt.date(2021, 12, 14) or c.claim.date_source == "text" for c in res)
    assert not any(c.claim.text.startswith("Минск, 14 декабря") for c in res)  # the dateline is no claim


@pytest.mark.parametrize(
    ("text", "lang", "expected"),
    [
        ("14 декабря 2021 года", "ru", dt.date(2021, 12, 14)),
        ("в ноябре 2021 года", "ru", dt.date(2021, 11, 1)),
        ("14.12.2021", "ru", dt.date(2021, 12, 14)),
        ("у листопаді 2021 року", "uk", dt.date(2021, 11, 1)),
        ("3 березня 2022 р.", "uk", dt.date(2022, 3, 3)),
        ("5 stycznia 2022", "pl", dt.date(2022, 1, 5)),
        ("w listopadzie 2021 r.", "pl", dt.date(2021, 11, 1)),
        ("14 снежня 2021 года", "be", dt.date(2021, 12, 14)),
        ("у лістападзе 2021 года", "be", dt.date(2021, 11, 1)),
        ("в 2015 году", "ru", dt.date(2015, 1, 1)),
    ],
)
def test_dates_in_four_languages(text, lang, expected):
    assert find_date(text, None, None, lang=lang) == expected


def test_dates_need_their_language_and_a_whole_word():
    assert find_dates("мартовских событий 2021", None, None, lang="ru") == []  # "март" inside another word
    assert find_date("14 декабря", 2021, None) is None  # English patterns do not read Russian
    assert find_date("8 марта", None, dt.date(2022, 5, 1), lang="ru") == dt.date(2022, 3, 8)  # year from the document
    assert dateline_date("Статья без даты в начале.\n\nТекст 14 декабря 2021 года.", "ru") is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("The ministry said unemployment fell by a third last year.", "en"),
        ("Министерство заявило, что безработица сократилась на треть.", "ru"),
        ("Міністерство заявило, що безробіття скоротилося на третину.", "uk"),
        ("Міністэрства заявіла, што беспрацоўе скарацілася на траціну.", "be"),
        ("Ministerstwo poinformowało, że bezrobocie spadło o jedną trzecią.", "pl"),
        ("Лукашэнка заявіў", "be"),  # two words: the letter ў decides
        ("Она не знала куда смотреть.", "ru"),  # the raw model says Serbian
    ],
)
def test_langid_short_and_full(text, expected):
    assert detect(text) == expected


def test_langid_mixed_and_empty_inputs():
    mixed = "Glaz said: «Страны НАТО превратились в машину по производству беженцев, заявил он журналистам»."
    assert detect(mixed) == "ru"  # the Russian quote is most of the letters
    assert detect("") is None and detect("   12 345 %%% ") is None and detect("ok") is None
    assert detect(None) is None  # type: ignore[arg-type]
    assert cyrillic_hint("Минск") is None  # "и" rules out Belarusian only: Russian or Ukrainian


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   \n\n  ",
        "«««««",
        "»»» „“ «",
        "заявил, что " * 500,
        "«" + "заявил " * 300,
        "— заявил — заявил — заявил",
        "По словам , , ,",
        "\x00\ud800 заявил, что \ufffd",
        "А. Б. В. Г. Д. Е. " * 200,
    ],
)
def test_hostile_input_never_crashes(text):
    for lang in ("ru", "uk", "be", "pl"):
        at = SlavicAttributor(lang=lang, ner=None)
        at.register_names(text)
        para = at.attribute_paragraph(text, 0)
        for s, e in [(0, len(text)), (0, min(5, len(text)))]:
            para.attribute(s, e)


def test_quote_scan_is_linear():
    text = "«" * 20000 + "„" * 20000
    t0 = time.perf_counter()
    spans = find_quotes(text)
    assert time.perf_counter() - t0 < 2.0 and spans == [(0, len(text))]


def test_extractor_hostile_russian_input(ru_extractor):
    from factdesk.errors import InputError

    with pytest.raises(InputError):
        ru_extractor.run("   ")
    res = ru_extractor.run("«" * 50 + " заявил, что " * 20, lang="ru")
    assert res.language == "ru"
    with pytest.raises(InputError):
        ru_extractor.run("Текст.", lang="not a code")


def test_every_russian_sentence_is_scored_not_dropped(ru_extractor):
    text = "Погода была хорошей весь день вчера.\n\nЦены выросли на 5 процентов за год."
    res = ru_extractor.run(text, lang="ru")
    assert len(res) == 2  # both sentences are candidates; the rule only orders them
    assert res[0].claim.text.startswith("Цены выросли") and res[0].checkworthiness > res[1].checkworthiness
    assert any("multilingual rule" in n for n in res.notes)


def test_attribution_module_keeps_its_public_imports():
    from factdesk.claims.attribution import (  # noqa: F401
        MONTHS,
        SPEECH_VERBS,
        Attribution,
        Attributor,
        ParagraphAttribution,
        _looks_org,
        clause_start,
        find_date,
        find_dates,
        find_quotes,
        looks_english,
        resolve_pronouns,
        split_paragraphs,
    )

    assert _looks_org("Foreign Ministry") and MONTHS["dec"] == 12


def test_natasha_ner_loads_and_names_are_put_in_the_nominative():
    from factdesk.claims.slavic import load_ner, nominative

    ner = load_ner()
    assert ner is not None  # a broken natasha must not hide behind the capitalised-word fallback
    spans = ner.spans("По словам Анатолия Глаза, Беларусь приняла более 2 тысяч мигрантов.")
    assert ("PER", "Анатолий Глаз") in [(t, n) for _, _, t, n in spans]
    assert nominative("Марии Захаровой") == "Мария Захарова" and nominative("Ольги Шевчук") == "Ольга Шевчук"
