"""Issue 24: Russian, Ukrainian, Belarusian and Polish documents at ingest: sentences, the
language of documents and passages, the date from a dateline, the --lang override."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from factdesk.ingest.chunking import chunk_document, passage_language, sentences_for
from factdesk.ingest.loaders import load_file, with_language
from factdesk.types import Document

RU = (
    "Минск, 14 декабря 2021 года\n\n"
    "Официальный представитель МИД Беларуси А. Глаз заявил, что т. е. в 2021 г. кризис создали страны НАТО. "
    "«Это машина по производству беженцев. Она работает годами», — подчеркнул он. "
    "По данным им. Янки Купалы института, приняли более 2 тыс. человек."
)


def test_razdel_keeps_abbreviations_initials_and_quotes_whole():
    text = RU.split("\n\n")[1]
    sents = [text[a:b] for a, b in sentences_for(text, "ru")]
    assert sents[0].endswith("страны НАТО.") and "А. Глаз" in sents[0] and "т. е. в 2021 г." in sents[0]
    # a quote of two sentences followed by its attribution is one unit
    assert sents[1].startswith("«Это машина") and sents[1].endswith("подчеркнул он.")
    assert len(sents) == 3
    # the English splitter does not split Cyrillic at all (it wants a Latin capital after the stop)
    assert len(list(sentences_for(text, "en"))) == 1


def test_document_and_passage_languages_and_dateline_date():
    doc = with_language(Document(text=RU))
    assert doc.published == dt.date(2021, 12, 14)
    chunk_document(doc)
    assert doc.language == "ru"
    mixed = Document(
        text="The ministry published a statement on Tuesday about the border and the people waiting there.\n\n"
        + "Официальный представитель МИД заявил, что ответственность за кризис несут страны НАТО и Евросоюз.\n\n"
        + "Ok.",
        language="en",
    )
    passages = chunk_document(mixed, max_chars=120)
    assert [p.language for p in passages] == ["en", "ru", "en"]  # "Ok." is too short: its document's


def test_language_override_and_front_matter(tmp_path: Path):
    f = tmp_path / "a.md"
    f.write_text("---\ntitle: T\nlanguage: uk\n---\nЦе речення написане українською мовою про кордон.\n", "utf-8")
    assert next(iter(load_file(f))).language == "uk"
    g = tmp_path / "b.txt"
    g.write_text("Цей текст без мітки мови, але його мова визначається автоматично.", "utf-8")
    doc = next(iter(load_file(g)))
    assert doc.language is None  # the reader runs no model (it may be a child with a time limit)
    chunk_document(doc)
    assert doc.language == "uk"  # identified when chunked, in the ingesting process
    assert next(iter(load_file(g, {"language": "be"}))).language == "be"  # --lang wins over detection


def test_chunk_sets_a_missing_document_language():
    d = Document(text="Wczoraj rzecznik powiedział, że granica jest zamknięta. Druga część tekstu jest krótka.")
    ps = chunk_document(d)
    assert d.language == "pl" and ps and all(p.language == "pl" for p in ps)


@pytest.mark.parametrize("text", ["", "   ", "12 345", "«««", "\x00\ufffd"])
def test_hostile_text_never_crashes(text):
    assert passage_language(text, None) is None or isinstance(passage_language(text, None), str)
    doc = Document(text=text or " ")
    chunk_document(doc)
    with_language(doc)
    list(sentences_for(text, "ru"))
