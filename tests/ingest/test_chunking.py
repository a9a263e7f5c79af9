from factdesk.ingest.chunking import chunk_document, split_sentences
from factdesk.types import Document


def test_split_sentences_keeps_abbreviations_and_offsets():
    t = 'The U.S. said so. Dr. Smith agreed! "Really?" he asked. In 2016, 4.8 million people fled.'
    spans = list(split_sentences(t))
    assert [t[s:e] for s, e in spans] == [
        "The U.S. said so.",
        "Dr. Smith agreed!",
        '"Really?" he asked.',
        "In 2016, 4.8 million people fled.",
    ]


def test_chunks_point_into_the_document():
    d = Document(text="First sentence here. Second one. Third.\n\nNew paragraph starts.")
    ps = chunk_document(d, max_chars=40)
    for p in ps:
        assert d.text[p.start : p.end] == p.text
    assert [p.index for p in ps] == list(range(len(ps)))
    assert ps[-1].text == "New paragraph starts."  # paragraphs are never merged


def test_huge_sentence_is_cut():
    d = Document(text="word " * 2000)
    ps = chunk_document(d, hard_max=500)
    assert all(len(p.text) <= 500 for p in ps) and len(ps) > 10


class _CountingPattern:
    """Wraps a compiled regex and adds up the characters each search is given."""

    def __init__(self, pattern):
        self.pattern, self.chars, self.calls = pattern, 0, 0

    def search(self, s):
        self.chars += len(s)
        self.calls += 1
        return self.pattern.search(s)


def test_abbreviation_runs_cost_linear_work(monkeypatch):
    # "A. B. " is a boundary after an abbreviation every 3 characters: the abbreviation test
    # used to look at the whole pending sentence each time, n**2 / 6 characters in all.
    from factdesk.ingest import chunking

    counter = _CountingPattern(chunking._ABBREV)
    monkeypatch.setattr(chunking, "_ABBREV", counter)
    text = "A. B. " * 20_000  # 120,000 characters
    spans = list(split_sentences(text))
    assert spans == [(0, len(text) - 1)]  # every "A." and "B." is an abbreviation: one sentence
    assert counter.calls == 2 * 20_000 - 1  # one test per boundary (the last "B. " ends the text)
    assert counter.chars <= chunking.ABBREV_WINDOW * counter.calls


def test_abbreviation_window_keeps_word_boundaries():
    # The window must not cut a word so that its tail looks like an abbreviation.
    t = "The protest reached XDr. Smith said it was over. The end."
    assert [t[s:e] for s, e in split_sentences(t)] == [
        "The protest reached XDr.",
        "Smith said it was over.",
        "The end.",
    ]
    t = "He met Gen. Smith. Then Mrs. Jones arrived."
    assert [t[s:e] for s, e in split_sentences(t)] == ["He met Gen. Smith.", "Then Mrs. Jones arrived."]


def test_adversarial_megabyte_is_chunked_into_bounded_passages():
    d = Document(text="A. B. " * 170_000)  # ~1 MB
    ps = chunk_document(d, hard_max=1200)
    assert all(len(p.text) <= 1200 for p in ps)
    assert sum(len(p.text) for p in ps) >= len(d.text) - 2 * len(ps)  # only spaces at cuts are lost
