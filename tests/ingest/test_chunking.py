from factdesk.ingest.chunking import chunk_document, split_sentences
from factdesk.types import Document


def test_split_sentences_keeps_abbreviations_and_offsets():
    t = 'The U.S. said so. Dr. Smith agreed! "Really?" he asked. In 2016, 4.8 million people fled.'
    spans = list(split_sentences(t))
    assert [t[s:e] for s, e in spans] == [
        "The U.S. said so.", "Dr. Smith agreed!", '"Really?" he asked.', "In 2016, 4.8 million people fled."
    ]


def test_chunks_point_into_the_document():
    d = Document(text="First sentence here. Second one. Third.\n\nNew paragraph starts.")
    ps = chunk_document(d, max_chars=40)
    for p in ps:
        assert d.text[p.start:p.end] == p.text
    assert [p.index for p in ps] == list(range(len(ps)))
    assert ps[-1].text == "New paragraph starts."  # paragraphs are never merged


def test_huge_sentence_is_cut():
    d = Document(text="word " * 2000)
    ps = chunk_document(d, hard_max=500)
    assert all(len(p.text) <= 500 for p in ps) and len(ps) > 10
