"""A claim's main clause, cut down to what a headline can carry, with spaCy's dependency parser.

`main_clause(text)` parses the claim (``en_core_web_sm``'s parser; loaded once, on first use)
and keeps the root clause's core:

- the subject: its head noun with the words in front of it (determiner, compounds, adjectives,
  numbers, a possessor) and one "of" phrase ("the policies of NATO member states"); appositions,
  "including ..." phrases and relative clauses are left out;
- the verb group: auxiliaries, negation and the main verb ("have become", "did not rise");
- the complement: an object, attribute or adjective complement cut the same way, a participle
  that qualifies it ("a real machine producing refugees"), an infinitive ("wants to ban
  fracking"), and a prepositional phrase that carries a name or a figure ("by more than 1
  million", "in Pennsylvania").

Leading adverbials ("Over the past decade,"), asides and trailing participle clauses
(", bringing the total to ...") are dropped. A clause whose subject is a pronoun, or that
has no subject or no verb, gives None: the caller falls back to a plain form that cannot be
wrong. `lean` leaves out the nested phrases when the full cut is too long.

>>> c = main_clause("Over the past decade, NATO countries, including EU members led by the "
...                 "United States, have become a real machine producing refugees on a global scale.")  # doctest: +SKIP
>>> c.text, c.topic                                                                   # doctest: +SKIP
('NATO countries have become a real machine producing refugees', ['NATO', 'refugees'])
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

_PRONOUN_SUBJECTS = {"he", "she", "it", "they", "this", "that", "these", "those", "we", "i", "you", "which", "who"}
_NP_LEFT = {"det", "compound", "amod", "nummod", "poss", "nmod", "quantmod", "case", "neg", "predet", "advmod"}
_COMPLEMENTS = ("dobj", "attr", "acomp", "oprd", "xcomp", "ccomp", "dative", "agent", "prep", "advcl", "npadvmod")
_MAX_WORDS = 12

_parser: Any = None
_parser_failed = False


def load_parser() -> Any:
    """spaCy's small English pipeline with the dependency parser (None when it is not installed)."""
    global _parser, _parser_failed
    if _parser is None and not _parser_failed:
        try:
            from factdesk.claims.extract import load_spacy

            _parser = load_spacy(exclude=("ner", "lemmatizer", "senter", "sentencizer"))
        except Exception:  # noqa: BLE001 - no parser means the plain fallback headline, never a crash
            _parser_failed = True
    return _parser


@dataclass
class MainClause:
    """The core of a claim's main clause: its words in order, and the subject's and the
    complement's key words (the plain headline's topic)."""

    text: str
    subject: str
    verb: str
    complement: str
    topic: list[str] = field(default_factory=list)

    @property
    def words(self) -> int:
        return len(self.text.split())


def _join(tokens: list[Any]) -> str:
    out = ""
    prev = None
    for t in sorted(tokens, key=lambda t: t.i):
        if t.is_punct and t.text not in ("%", "$", "€", "£", "-", "–", "/"):
            prev = t
            continue
        text = "not" if t.lower_ in ("n't", "n’t") else t.text
        if prev is not None and prev.i == t.i - 1 and not prev.whitespace_ and out:
            out += text
        else:
            out += (" " if out else "") + text
        prev = t
    return " ".join(out.split())


def _np(head: Any, lean: bool, depth: int = 0) -> list[Any]:
    """The noun phrase around `head`, cut down (see the module docstring)."""
    toks = [head]
    for c in head.lefts:
        if c.dep_ in _NP_LEFT and not (c.dep_ == "advmod" and c.pos_ != "ADV"):
            toks += list(c.subtree) if c.dep_ in ("poss", "compound", "nmod", "quantmod", "amod", "nummod") else [c]
    for c in head.rights:
        if c.dep_ == "prep" and c.lower_ == "of" and depth < 2:
            obj = [g for g in c.children if g.dep_ == "pobj"]
            if obj:
                toks += [c] + _np(obj[0], lean, depth + 1)
        elif c.dep_ == "acl" and c.pos_ == "VERB" and c.tag_ == "VBG" and depth < 2:
            obj = [g for g in c.children if g.dep_ in ("dobj", "attr")]
            if obj:  # "a machine producing refugees"
                toks += [c] + _np(obj[0], lean, depth + 1)
            elif not lean:
                toks += [c]
        elif c.dep_ == "case":
            toks.append(c)
        elif c.dep_ == "prep" and not lean and depth == 0 and head.dep_ not in ("nsubj", "nsubjpass"):
            obj = [g for g in c.children if g.dep_ == "pobj"]
            if obj:
                toks += [c] + _np(obj[0], True, depth + 1)
        elif c.dep_ == "conj" and depth == 0 and head.dep_ == "pobj":
            cc = [g for g in head.children if g.dep_ == "cc"]
            toks += cc + _np(c, True, depth + 1)
    return toks


def _named(tok: Any) -> bool:
    return any(t.pos_ in ("PROPN", "NUM") for t in tok.subtree)


def _predicate(verb: Any, lean: bool, depth: int = 0) -> list[Any]:
    """Auxiliaries, negation, the verb and its complements (see the module docstring)."""
    toks = [c for c in verb.lefts if c.dep_ in ("aux", "auxpass", "neg")] + [verb]
    toks += [c for c in verb.rights if c.dep_ == "neg"]
    has_object = False
    taken: set[str] = set()
    for c in verb.rights:
        if c.dep_ not in _COMPLEMENTS or (c.dep_ in taken and c.dep_ != "prep"):
            continue
        taken.add(c.dep_)
        if c.dep_ in ("dobj", "attr", "oprd", "dative"):
            toks += _np(c, lean)
            has_object = True
        elif c.dep_ == "acomp":
            toks += [a for a in c.lefts if a.dep_ in ("advmod", "neg")] + [c]
            for p in c.rights:
                obj = [g for g in p.children if g.dep_ == "pobj"] if p.dep_ == "prep" else []
                if obj:
                    toks += [p] + _np(obj[0], lean, 1)
                    break
            has_object = True
        elif c.dep_ in ("xcomp", "ccomp") and depth < 2 and c.pos_ in ("VERB", "AUX"):
            toks += _predicate(c, lean, depth + 1)
            has_object = True
        elif c.dep_ == "advcl" and c.tag_ == "VBG" and c.i == verb.i + 1 and depth > 0:
            toks += _predicate(c, lean, depth + 1)  # "to ban fracking (in Pennsylvania)"
        elif c.dep_ == "agent" or c.dep_ == "prep":
            obj = [g for g in c.children if g.dep_ == "pobj"]
            if obj and (c.dep_ == "agent" or _named(obj[0]) or (not has_object and c.i == verb.i + 1)):
                toks += [c] + _np(obj[0], True, 1)
    return toks


def _whole_words(toks: list[Any]) -> list[Any]:
    """Never cut inside a written word: "2015-2016", "post-war" and "U.S.-led" stay whole."""
    chosen = {t.i: t for t in toks}
    doc = toks[0].doc if toks else None
    changed = True
    while doc is not None and changed:
        changed = False
        for i in list(chosen):
            for j in (i - 1, i + 1):
                if 0 <= j < len(doc) and j not in chosen:
                    left, right = (doc[j], doc[i]) if j < i else (doc[i], doc[j])
                    if not left.whitespace_ and (left.text in "-–/" or right.text in "-–/"):
                        chosen[j] = doc[j]
                        changed = True
    return list(chosen.values())


def main_clause(text: str, lean: bool = False, nlp: Any = None) -> MainClause | None:
    """The claim's main clause cut down for a headline, or None (module docstring)."""
    nlp = nlp if nlp is not None else load_parser()
    if nlp is None or "parser" not in nlp.pipe_names:
        return None
    clean = re.sub(r"\s*\([^()]*\)", "", " ".join(text.split()))  # "NATO (North Atlantic ...)": the aside goes
    doc = nlp(clean[:1000])
    sent = next(iter(doc.sents), None)
    if sent is None:
        return None
    root = sent.root
    if root.pos_ not in ("VERB", "AUX"):
        return None
    subjects = [c for c in root.lefts if c.dep_ in ("nsubj", "nsubjpass", "expl", "csubj")]
    if not subjects or subjects[0].lower_ in _PRONOUN_SUBJECTS:
        return None
    subj = _np(subjects[0], lean)
    if subjects[0].dep_ == "expl":  # "There are 13.5 million people in need"
        subj = [subjects[0]]
    pred = _predicate(root, lean)
    subj, pred = _whole_words(subj), _whole_words(pred)
    subj_text, pred_text = _join(subj), _join(pred)
    verb_toks = [t for t in pred if t.i <= root.i]
    comp = [t for t in pred if t.i > root.i]
    if not subj_text or not pred_text:
        return None
    if comp and max(comp, key=lambda t: t.i).tag_ in ("JJR", "RBR") and any(t.lower_ == "than" for t in sent):
        return None  # "spends more" without its "than ...": the comparison is the claim
    full = f"{subj_text} {pred_text}"
    full = full[:1].upper() + full[1:] if full[:1].islower() and not full.split()[0].islower() else full
    topic = _topic(subj, comp)
    return MainClause(text=full, subject=subj_text, verb=_join(verb_toks), complement=_join(comp), topic=topic)


def _topic(subj: list[Any], comp: list[Any]) -> list[str]:
    """The subject's name (or head noun) and the complement's last noun: 'NATO', 'refugees'."""
    out: list[str] = []
    names = [t for t in sorted(subj, key=lambda t: t.i) if t.pos_ == "PROPN"]
    if names:
        run = [names[0]]
        for t in names[1:]:
            if t.i == run[-1].i + 1:
                run.append(t)
            else:
                break
        out.append(" ".join(t.text for t in run))
    else:
        heads = [t for t in sorted(subj, key=lambda t: t.i) if t.pos_ == "NOUN"]
        if heads:  # "the number of registered Syrian refugees" is about refugees
            out.append(heads[-1].text.lower() if not heads[-1].text.isupper() else heads[-1].text)
    nouns = [t for t in sorted(comp, key=lambda t: t.i) if t.pos_ in ("NOUN", "PROPN") and not t.lower_.endswith("ing")]
    if nouns:
        n = nouns[-1]
        word = n.text if n.pos_ == "PROPN" or n.text.isupper() else n.text.lower()
        if word not in out:
            out.append(word)
    return out


def headline_clause(text: str, max_words: int = _MAX_WORDS, nlp: Any = None) -> MainClause | None:
    """`main_clause` that fits in `max_words` words: the full cut, else the lean one, else None."""
    for lean in (False, True):
        c = main_clause(text, lean=lean, nlp=nlp)
        if c is None:
            return None
        if c.words <= max_words:
            return c
    return None
