"""The verdict follows the evidence (issue 23, part 0): per-passage relevance and the sides.

A stance model judges every (claim, passage) pair, also pairs that have nothing to do with
each other, and it judges those with some spread: a cycling lane 'refuted' a claim about the
Eiffel Tower at 0.59. Issue 14's gate (`factdesk.verdict.aggregate.gated`) closes the verdict
when *no* passage is about the claim, but one relevant passage that supports beside five
irrelevant ones that 'refute' still made a *Likely False*. Two rules close that gap:

1. `PassageGate`: each passage's stance counts only as far as the passage is about the claim.
   P(about) is read from the claim-passage cosine similarity (`passage_similarity`) with the
   shipped relevance gate's own logistic, applied to one passage (its ``max_sim`` and
   ``mean_sim`` both the passage's similarity); the rest of the passage's stance mass goes to
   not-enough-info *before* the aggregator and the writer see it. The gate was fitted on
   AVeriTeC train (evidence for the claim against evidence gathered for other claims), never
   on the suites it is checked on; without shipped weights, `DEFAULT_GATE` (the same curve,
   rounded) stands in.
2. `sides` / `allowed_labels`: a passage *takes a side* when its (gated) stance label is
   supports or refutes with probability >= `STRONG`, the rule the report's summary counts
   with. Support alone allows Supported (or, where the aggregator judges the evidence too
   thin, Not Enough Evidence), never Refuted or Conflicting; refutation alone the mirror
   image; neither side only Not Enough Evidence; with both, the side that is outnumbered
   cannot win (Conflicting can). `factdesk.verdict.aggregate.make_verdict` enforces it, so
   the summary sentence ("of the N passages weighed, X contradict it and Y support it") and
   the verdict never disagree.
3. `DetailCheck`: the stance model reads years, numbers and names loosely, and directions of
   change ("cut" / "raised", "выросло" / "сократилось") hardly at all; a passage about the claim
   that writes another figure or name in the claim's place, or states the opposite change,
   does not support it.

>>> from factdesk.types import Claim, Document, Evidence, Passage, Stance
>>> def ev(text, probs, sim):
...     d = Document(text=text)
...     return Evidence(Passage(d.id, text, 0, len(text)), d, {"similarity": sim}, Stance.from_probs(probs))
>>> on, off = ev("The tower is 330 m tall.", (0.9, 0.05, 0.05), 0.8), ev("Bananas are berries.", (0.1, 0.7, 0.2), 0.05)
>>> _ = PassageGate().run([on, off])
>>> on.stance.label.value, off.stance.label.value, off.scores["on_topic"] < 0.01, off.scores["raw_refutes"]
('supports', 'not_enough_info', True, 0.7)
>>> sides([on, off])
(1, 0)
>>> [lab.value for lab in allowed_labels(1, 0)]
['Supported', 'Not Enough Evidence']
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from factdesk.types import STANCE_ORDER, AveritecLabel, Evidence, Stance, StanceLabel

STRONG = 0.5
"""A (gated) passage with P(supports) or P(refutes) at or above this, as its label, takes a side;
the report's summary counts passages with the same rule (`factdesk.report.writer.sided`)."""

DEFAULT_GATE: dict[str, Any] = {
    "features": ["max_sim", "mean_sim"],
    "mean": [0.52, 0.46],
    "scale": [0.27, 0.25],
    "weights": [2.7, 3.05],
    "bias": 2.6,
}
"""The relevance gate used when no aggregator weights are shipped: the v3 gate, rounded
(P(about) = 0.5 at a cosine of about 0.37, 0.1 at 0.27, 0.9 at 0.47)."""

RAW_KEYS = ("raw_supports", "raw_refutes", "raw_not_enough_info")
"""Where the stance model's own probabilities are kept (``Evidence.scores``) once gated."""


def takes_side(ev: Evidence) -> StanceLabel | None:
    """SUPPORTS or REFUTES when `ev`'s stance takes that side (label, probability >= `STRONG`), else None."""
    st = ev.stance
    if st is None or st.label == StanceLabel.NOT_ENOUGH_INFO or st.probability < STRONG:
        return None
    return st.label


def sides(evidence: Sequence[Evidence]) -> tuple[int, int]:
    """(passages that support, passages that refute), by `takes_side`."""
    got = [takes_side(ev) for ev in evidence]
    return got.count(StanceLabel.SUPPORTS), got.count(StanceLabel.REFUTES)


def allowed_labels(n_support: int, n_refute: int) -> tuple[AveritecLabel, ...]:
    """The verdicts the evidence allows, given how many passages take each side.

    >>> [lab.value for lab in allowed_labels(2, 1)]
    ['Supported', 'Conflicting Evidence/Cherrypicking']
    >>> [lab.value for lab in allowed_labels(0, 1)]
    ['Refuted', 'Not Enough Evidence']
    >>> [lab.value for lab in allowed_labels(0, 0)]
    ['Not Enough Evidence']
    """
    if n_support and n_refute:
        out = [AveritecLabel.CONFLICTING]
        if n_support >= n_refute:
            out.insert(0, AveritecLabel.SUPPORTED)
        if n_refute >= n_support:
            out.insert(len(out) - 1, AveritecLabel.REFUTED)
        return tuple(out)
    if n_support:
        return (AveritecLabel.SUPPORTED, AveritecLabel.NOT_ENOUGH_EVIDENCE)
    if n_refute:
        return (AveritecLabel.REFUTED, AveritecLabel.NOT_ENOUGH_EVIDENCE)
    return (AveritecLabel.NOT_ENOUGH_EVIDENCE,)


def _similarity(ev: Evidence) -> float | None:
    # imported here: aggregate imports this module
    from factdesk.verdict.aggregate import passage_similarity

    return passage_similarity(ev)


class PassageGate:
    """Moves each passage's stance towards not-enough-info by how little it is about the claim.

    ``new = w * stance + (1 - w) * (0, 0, 1)`` with ``w = P(about)`` from the claim-passage
    similarity (see the module doc); the model's own probabilities are kept in
    ``scores["raw_*"]`` and ``w`` in ``scores["on_topic"]``. An item with no similarity is
    left as it is (w = 1): the judge records one on every item before gating.

    Args:
        gate: a relevance gate as stored in the aggregator's JSON (``features``, ``mean``,
            ``scale``, ``weights``, ``bias``); None = the shipped aggregator's, else `DEFAULT_GATE`.
    """

    def __init__(self, gate: dict[str, Any] | None = None) -> None:
        if gate is not None:
            missing = {"features", "mean", "scale", "weights", "bias"} - set(gate)
            if missing:
                raise ValueError(f"gate lacks {sorted(missing)}: pass the aggregator JSON's 'gate' object, or None")
        self.gate = gate

    def __repr__(self) -> str:
        return "PassageGate()" if self.gate is None else "PassageGate(gate=...)"

    def warm_up(self) -> None:
        """Read the shipped gate when none was given (once)."""
        if self.gate is not None:
            return
        from factdesk.verdict.aggregate import DEFAULT_PATH

        gate = None
        try:
            gate = json.loads(Path(DEFAULT_PATH).read_text(encoding="utf-8")).get("gate")
        except (OSError, ValueError):
            gate = None
        self.gate = gate if isinstance(gate, dict) else DEFAULT_GATE

    def weight(self, similarity: float | np.ndarray) -> np.ndarray:
        """P(about the claim) of passages with these claim-passage similarities."""
        self.warm_up()
        assert self.gate is not None
        s = np.atleast_1d(np.nan_to_num(np.asarray(similarity, dtype=np.float64), nan=0.0))
        g = self.gate
        z = ((s[:, None] - np.asarray(g["mean"])) / np.asarray(g["scale"])) @ np.asarray(g["weights"])
        return 1.0 / (1.0 + np.exp(-(z + float(g["bias"]))))

    def run(self, evidence: list[Evidence]) -> list[Evidence]:
        """Gate every judged item with a similarity, in place; return the list."""
        todo = [(ev, _similarity(ev)) for ev in evidence if ev.stance is not None and RAW_KEYS[0] not in ev.scores]
        todo = [(ev, s) for ev, s in todo if s is not None]
        if not todo:
            return evidence
        weights = self.weight(np.array([s for _, s in todo]))
        for (ev, _), w in zip(todo, weights):
            assert ev.stance is not None
            p = np.array([ev.stance.probs.get(lab.value, 0.0) for lab in STANCE_ORDER], dtype=np.float64)
            for key, v in zip(RAW_KEYS, p):
                ev.scores[key] = float(v)
            ev.scores["on_topic"] = float(w)
            gated = w * p + (1.0 - w) * np.array([0.0, 0.0, 1.0])
            ev.stance = Stance.from_probs(gated)
        return evidence


_YEAR = re.compile(r"(?<![\d.,])(1[89]\d\d|20\d\d)(?![\d.,]\d|\d)")


# Words in any alphabet (Latin, Cyrillic, ...); numbers with digit-group spaces ("1 240 000") kept whole.
_WORD = re.compile(r"[^\W\d_][\w'’-]*|\d{1,3}(?:[ \u00a0]\d{3})+(?![\d])|\d[\d,.]*")
_FUNCTION = frozenset(
    """a an the and or but if of in on at to for from by with without as is are was were be been being has
    have had do does did not no nor yes it its this that these those he she they we you i his her their our
    your my me him them us who whom whose which what when where why how than then there here so such into
    onto over under after before about above below between during since until up down out off again also
    more most less least many much some any all each every both either neither other another same only own
    just very can could will would shall should may might must said says say claim claims claimed according
    january february march april may june july august september october november december monday tuesday
    wednesday thursday friday saturday sunday mr mrs ms dr st """
    # Russian, Ukrainian, Belarusian (prepositions, conjunctions, pronouns, particles, 'to be')
    """в во на с со к ко по о об обо от до из за для без под над при про через у и а но или либо что чтобы
    как это этот эта эти тот та те то он она оно они мы вы я его ее её их им ей не ни же ли бы уже ещё еще
    также тоже все всё весь вся так только был была было были быть есть который которая которые которого
    свой своя свои своих там тут где когда чем при после перед между около более менее сообщил сообщила
    заявил заявила і й та з із зі від що як це він вона вони ми ви був була було були є також ў ад да што
    гэта ён яна яны быў была """
    # Polish
    """w we z ze na do od dla i a ale lub że jak to nie jest są był była było byli się po przez przy o u
    który która które jego jej ich tak także też""".split()
)


def _stem(word: str) -> str:
    """A word's first five letters (English as before); in other alphabets, whose words inflect at
    the end ("года"/"году", "метров"/"метра"), its first four, less a last letter that may be an
    ending."""
    w = word.lower()
    if w.isascii():
        return w[:5]
    return w[: min(4, len(w) - 1)] if len(w) >= 3 else w


def _tokens(text: str) -> list[str]:
    out = []
    for t in _WORD.findall(text):
        t = t.rstrip(".,")
        for tail in ("'s", "’s", "'", "’"):
            if t.endswith(tail):
                t = t[: -len(tail)]
                break
        if t:
            out.append(t)
    return out


_MONTHS = frozenset("january february march april may june july august september october november december".split())


def _is_name(tok: str) -> bool:
    """A capitalised word (any alphabet) of two letters or more, not a function word."""
    return len(tok) >= 2 and tok[0].isupper() and tok.replace("-", "").isalpha() and tok.lower() not in _FUNCTION


def _kind(tok: str) -> str | None:
    """'year', 'number' or 'name' for a token that is one, else None."""
    if tok[0].isdigit():
        return "year" if _YEAR.fullmatch(tok) else "number"
    if _is_name(tok):
        return "name"
    return None


def _norm(tok: str) -> str:
    if tok[0].isdigit():
        tok = tok.replace(",", "").replace(" ", "").replace("\u00a0", "")
        return tok.rstrip("0").rstrip(".") if "." in tok else tok
    return tok.lower()


def details(text: str) -> dict[tuple[str, str], set[str]]:
    """{(kind, token): the stems of its neighbouring words} for the years, numbers (in digits)
    and names (capitalised words; function words, months and days are not names) of `text`.
    A neighbour is the word just before or after, when it is not a function word (a month is
    one: "May 2015"), nor itself a year, number or name; stems are the first five letters.

    >>> d = details("Ethiopian runner Haile Gebre won in May 2015 with 3,400 fans.")
    >>> sorted(k for k in d), sorted(d[("name", "haile")]), sorted(d[("year", "2015")])
    ([('name', 'ethiopian'), ('name', 'gebre'), ('name', 'haile'), ('number', '3400'), ('year', '2015')], ['runne'], ['may'])
    """
    toks = _tokens(text)
    kinds = [_kind(t) for t in toks]
    low = [t.lower() for t in toks]
    out: dict[tuple[str, str], set[str]] = {}
    for i, (t, k) in enumerate(zip(toks, kinds)):
        if k is None:
            continue
        around = {
            _stem(low[j])
            for j in (i - 1, i + 1)
            if 0 <= j < len(toks) and kinds[j] is None and (low[j] not in _FUNCTION or low[j] in _MONTHS)
        }
        out.setdefault((k, _norm(t)), set()).update(around)
    return out


def _same_name(a: str, b: str) -> bool:
    """Two lower-cased names are one name: equal, or, outside ASCII (where names inflect:
    "Минск"/"Минске", "Долька"/"Дольку"), of lengths within two letters, sharing all but the last
    two letters of the shorter (three at least).

    >>> _same_name("минск", "минске"), _same_name("долька", "дольку"), _same_name("мост", "мостострой")
    (True, True, False)
    """
    if a == b:
        return True
    if (a.isascii() and b.isascii()) or abs(len(a) - len(b)) > 2:
        return False
    n = min(len(a), len(b))
    k = 0
    while k < n and a[k] == b[k]:
        k += 1
    return k >= max(3, n - 2)


def _has(found: dict[tuple[str, str], set[str]], key: tuple[str, str]) -> bool:
    """True when `found` (a `details` result) holds the detail `key`, a name in any of its forms."""
    if key in found:
        return True
    return key[0] == "name" and any(k == "name" and _same_name(v, key[1]) for k, v in found)


def coverage(claim: str, passage: str) -> float:
    """Share of the claim's content words (5-letter stems; function words left out) the passage has.

    >>> coverage("Tarland has a population of 5 million people.", "Tarland generated 46 percent of its power.")
    0.2
    """
    stem = {_stem(t) for t in _tokens(passage)}
    words = {_stem(t) for t in _tokens(claim) if t.lower() not in _FUNCTION}
    return sum(w in stem for w in words) / len(words) if words else 0.0


_UP_WORDS = frozenset(
    """rose rise rises risen rising increase increased increases increasing grew grow grows growing gained
    gain gains raised raise raises raising climbed climb climbs jumped jump jumps soared soar surged surge
    doubled tripled expanded""".split()
)
_DOWN_WORDS = frozenset(
    """fell fall falls fallen falling decline declined declines declining decrease decreased decreases
    decreasing dropped drop drops cut cuts lowered lower lowers reduced reduce reduces shrank shrunk shrink
    shrinks slumped slump plunged plunge halved contracted""".split()
)
# Inflecting languages: a word is read by its beginning (ru, uk, be, pl).
_UP_PREFIXES = (
    "вырос",
    "вырас",
    "возрос",
    "увелич",
    "повыс",
    "повыш",
    "подня",
    "прибав",  # ru
    "зрос",
    "зріс",
    "збільш",
    "підвищ",
    "підня",  # uk
    "павялі",
    "павыс",
    "павыш",  # be
    "wzros",
    "wzrós",
    "zwiększ",
    "podnie",
    "podnió",
    "podwyż",  # pl
)
_DOWN_PREFIXES = (
    "сократ",
    "сокращ",
    "сниз",
    "сниж",
    "уменьш",
    "упал",
    "упад",
    "опусти",  # ru
    "скорот",
    "скороч",
    "знизи",
    "зниж",
    "зменш",
    "впал",
    "впав",  # uk
    "скарац",
    "скарот",
    "зніз",
    "зніж",
    "паменш",
    "упаў",  # be
    "spadł",
    "spadl",
    "zmniejsz",
    "obniż",
    "obniz",
    "zmalał",  # pl
)
_NEGATORS = frozenset("not no never n't didn't hasn't haven't wasn't weren't не ни nie".split())


def trends(text: str) -> set[str]:
    """The directions of change `text` states, {"up"}, {"down"}, both or neither: "rose", "cut",
    "up from 38 percent", "выросло", "сократилось на 1,8 процента". A trend word just after a
    negation ("did not rise", "не выросло") is left unread (its direction is not stated), and
    "up" / "down" count only before "from", "by" or a figure ("up 5 percent"), not in "shut down".

    >>> sorted(trends("The bank raised its rate, its first increase in four years.")), trends("Exports fell.")
    (['up'], {'down'})
    >>> trends("Its share was 46 percent, up from 38 percent."), trends("Население сократилось на 2%.")
    ({'up'}, {'down'})
    >>> trends("Prices did not rise in May."), trends("The plant was shut down.")
    (set(), set())
    """
    toks = [t.lower() for t in _tokens(text)]
    found: set[str] = set()
    for i, t in enumerate(toks):
        if t in ("up", "down"):
            nxt = toks[i + 1] if i + 1 < len(toks) else ""
            way = t if nxt in ("from", "by") or nxt[:1].isdigit() else None
        else:
            way = _direction(t)
        if way and not any(toks[j] in _NEGATORS for j in range(max(0, i - 2), i)):
            found.add(way)
    return found


def _direction(word: str) -> str | None:
    """ "up" or "down" for a lower-cased word of change ("raised", "сократилось"), else None."""
    if word in _UP_WORDS or word.startswith(_UP_PREFIXES):
        return "up"
    if word in _DOWN_WORDS or word.startswith(_DOWN_PREFIXES):
        return "down"
    return None


def opposite_trend(claim: str, passage: str) -> bool:
    """True when the claim states one direction of change and the passage only the other
    ("cut its rate" / "raised its rate", "fell" / "up from 38 percent").

    >>> opposite_trend("The bank cut its rate.", "The bank raised its rate to 2 percent."), opposite_trend("Exports fell.", "Exports fell 3 percent.")
    (True, False)
    >>> opposite_trend("Exports fell.", "Imports rose while exports fell.")
    False
    """
    c, p = trends(claim), trends(passage)
    return len(c) == 1 and bool(p) and not (p & c)


class DetailCheck:
    """A passage that tells the claim's event with another year, number or name contradicts it.

    The stance model reads details loosely: "reopened in May 2015" was judged *supported* by
    "reopened on 18 May 2021", "Ethiopian runner Haile Gebre won" by "Kenyan runner Amos
    Kiprotich won". When a passage about the claim (``on_topic`` >= 0.5, or not gated) is
    judged to support it, but

    * the claim writes a year (or another number in digits) that the passage does not, while
      the passage writes one of the same kind that the claim does not, or
    * a name of the claim is missing from the passage, and a name of the passage that the
      claim lacks stands in the same place (they share a neighbouring content word: "runner",
      "firm", "remained"),

    the passage's support is read as refutation (its supports and refutes probabilities swap;
    ``scores["detail_mismatch"] = 1``); a passage the model already leans to refute keeps its
    whole side as refutation (supports + refutes, as it cannot support the claim). A passage judged not-enough-info is read the same way
    only when it also `restates` the claim (it has every one of the claim's ordinary words: all
    but the function words, names and figures), and then its not-enough-info mass becomes the
    refutation. Figures in words, units and rounding are not compared: the check only turns a
    stance it can show to be about another figure or name.

    With `directions` on, a passage about the claim that states the opposite direction of change
    (`opposite_trend`: the claim says "cut", the passage only "raised"; "выросло" against
    "сократилось") is read the same way when it shares at least half the claim's content words
    (`coverage`): its support and refutation mass together become refutation (the opposite
    change cannot support the claim), and its not-enough-info mass does when it restates the
    claim but for the words of change (``scores["trend_mismatch"] = 1``).

    With `min_coverage` > 0, a passage that refutes the claim but shares less than that share
    of its content words (`coverage`) is taken as being on the claim's subject, not on the
    claim, and its refutation goes to not-enough-info (``scores["low_coverage"] = 1``).

    >>> from factdesk.types import Claim, Document, Evidence, Passage, Stance
    >>> d = Document(text="The library reopened on 18 May 2021.")
    >>> e = Evidence(Passage(d.id, d.text, 0, len(d.text)), d, {}, Stance.from_probs((0.8, 0.1, 0.1)))
    >>> DetailCheck().run(Claim("The library reopened in May 2015."), [e])[0].stance.label.value
    'refutes'
    """

    def __init__(
        self, min_coverage: float = 0.0, figures: bool = True, names: bool = True, directions: bool = True
    ) -> None:
        if not 0.0 <= min_coverage <= 1.0:
            raise ValueError(f"min_coverage must be in [0, 1], got {min_coverage}")
        self.min_coverage = min_coverage
        self.figures = figures
        self.names = names
        self.directions = directions

    def __repr__(self) -> str:
        return (
            f"DetailCheck(min_coverage={self.min_coverage}, figures={self.figures}, names={self.names}, "
            f"directions={self.directions})"
        )

    def warm_up(self) -> None:
        """Nothing to load."""

    def mismatch(self, claim: str, passage: str) -> bool:
        """True when `passage` writes another year, number or name in the place where `claim`
        writes one: a detail of the claim is missing from the passage, and a detail of the same
        kind that the claim lacks shares a neighbouring word with it ("in May 2015" / "on 18 May
        2021", "runner Haile Gebre" / "runner Amos Kiprotich", "3,400 cases" / "340 cases")."""
        kinds = {k for k, on in (("year", self.figures), ("number", self.figures), ("name", self.names)) if on}
        c, p = details(claim), details(passage)
        missing = [(key, around) for key, around in c.items() if key[0] in kinds and not _has(p, key)]
        extra = [(key, around) for key, around in p.items() if key[0] in kinds and not _has(c, key)]
        return any(a[0] == b[0] and ca & pb for a, ca in missing for b, pb in extra)

    @staticmethod
    def restates(claim: str, passage: str, but_change: bool = False) -> bool:
        """True when `passage` has every ordinary word of `claim` (5-letter stems; function
        words, names and figures aside), and the claim has at least one; with `but_change`,
        the claim's words of change ("cut", "выросло") aside too."""
        stems = {_stem(t) for t in _tokens(passage)}
        words = {
            _stem(t)
            for t in _tokens(claim)
            if t.lower() not in _FUNCTION and _kind(t) is None and not (but_change and _direction(t.lower()))
        }
        return bool(words) and words <= stems

    def turned(self, claim: str, passage: str) -> bool:
        """True when `passage`, about the claim, states the opposite direction of change."""
        return self.directions and coverage(claim, passage) >= 0.5 and opposite_trend(claim, passage)

    def run(self, claim: Any, evidence: list[Evidence]) -> list[Evidence]:
        for ev in evidence:
            st = ev.stance
            if st is None or ev.scores.get("on_topic", 1.0) < 0.5:
                continue
            p = dict(st.probs)
            sup, ref, nei = (p[lab.value] for lab in STANCE_ORDER)
            if st.label == StanceLabel.SUPPORTS and self.mismatch(claim.text, ev.passage.text):
                ev.scores["detail_mismatch"] = 1.0
                ev.stance = Stance.from_probs((ref, sup, nei))
            elif st.label == StanceLabel.REFUTES and self.mismatch(claim.text, ev.passage.text):
                ev.scores["detail_mismatch"] = 1.0  # another figure or name in the claim's place cannot support
                ev.stance = Stance.from_probs((0.0, sup + ref, nei))
            elif st.label != StanceLabel.NOT_ENOUGH_INFO and self.turned(claim.text, ev.passage.text):
                ev.scores["trend_mismatch"] = 1.0  # the opposite change cannot support: all its side is refutation
                ev.stance = Stance.from_probs((0.0, sup + ref, nei))
            elif (
                st.label == StanceLabel.NOT_ENOUGH_INFO
                and self.restates(claim.text, ev.passage.text)
                and self.mismatch(claim.text, ev.passage.text)
            ):
                ev.scores["detail_mismatch"] = 1.0
                ev.stance = Stance.from_probs((sup, nei, ref))
            elif (
                st.label == StanceLabel.NOT_ENOUGH_INFO
                and self.restates(claim.text, ev.passage.text, but_change=True)
                and self.turned(claim.text, ev.passage.text)
            ):
                ev.scores["trend_mismatch"] = 1.0
                ev.stance = Stance.from_probs((sup, nei, ref))
            elif (
                st.label == StanceLabel.REFUTES
                and self.min_coverage > 0
                and coverage(claim.text, ev.passage.text) < self.min_coverage
            ):
                ev.scores["low_coverage"] = 1.0
                ev.stance = Stance.from_probs((sup, 0.0, nei + ref))
        return evidence
