#!/usr/bin/env python
"""Accuracy of `factdesk.lang.detect` per language, on XNLI dev sentences and RU22Fact claims.

    python bench/bench_langid.py                       # prints JSON, writes bench/results/langid.json
    python bench/bench_langid.py --data ../shared/data/multilingual

Sentences: every distinct premise and hypothesis of the XNLI dev first half (15 languages,
415 premises and ~1,245 hypotheses each), and the Ukrainian claims of RU22Fact (validate) when
pyarrow can read them (XNLI has no Ukrainian or Belarusian), and 16 Belarusian sentences
written for this bench (`BELARUSIAN`: a check of the letter rule, too few for a figure of its
own). Three set-ups side by side:

- ``raw``: py3langid as shipped, all 97 languages;
- ``restricted``: the desk's set (`factdesk.lang.DESK_LANGUAGES`);
- ``desk``: restricted plus the Cyrillic letter rule (what `detect` does).

Each is scored on whole sentences and on their first three words ("short"), where confusions
show. Accuracy counts a sentence right when the code equals the file's language; the most
frequent wrong answers are listed per language, and the rate is sentences per second.
"""

from __future__ import annotations

import argparse
import collections
import datetime as dt
import json
import time
from pathlib import Path

from factdesk.lang import DESK_LANGUAGES, detect_scored

ROOT = Path(__file__).resolve().parents[1]
SETUPS = {
    "raw": {"languages": None, "script_rule": False},
    "restricted": {"languages": DESK_LANGUAGES, "script_rule": False},
    "desk": {"languages": DESK_LANGUAGES, "script_rule": True},
}


def xnli_sentences(folder: Path) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for f in sorted(folder.glob("data_xnli_dev-*.first-half.tsv")):
        lang = f.name.split("-")[1].split(".")[0]
        seen: dict[str, None] = {}
        for line in f.read_text(encoding="utf-8").splitlines():
            parts = line.split("\t")
            for s in parts[:2]:
                s = s.strip()
                if s:
                    seen.setdefault(s, None)
        out[lang] = list(seen)
    return out


# XNLI and RU22Fact have no Belarusian: 16 news sentences written for this bench (a check of the
# Belarusian/Russian/Ukrainian letter rule, not a benchmark of its own).
BELARUSIAN = [
    "Міністэрства замежных спраў Беларусі заявіла, што краіна не нясе адказнасці за крызіс на мяжы.",
    "Афіцыйны прадстаўнік МЗС Анатоль Глаз адзначыў, што краіны НАТА стварылі праблему ўцекачоў.",
    "Па словах кіраўніка дзяржавы, эканоміка вырасла на тры працэнты ў мінулым годзе.",
    "На мяжы з Польшчай сабраліся некалькі тысяч мігрантаў.",
    "Урад паведаміў пра новыя меры падтрымкі для сялян.",
    "Лукашэнка сказаў, што санкцыі не паўплываюць на жыццё людзей.",
    "У лістападзе 2021 года колькасць мігрантаў каля Бруздзі павялічылася.",
    "Еўрапейскі саюз увёў пяты пакет санкцый супраць Беларусі.",
    "Дэпутаты прынялі закон аб змене Канстытуцыі.",
    "Прэс-служба прэзідэнта паведаміла пра сустрэчу з паслом Кітая.",
    "Мы не будзем маўчаць, калі нашы суседзі парушаюць правы чалавека.",
    "Гэта заява не адпавядае фактам, падкрэсліў эксперт.",
    "Цэны на бензін выраслі ўпершыню за паўгода.",
    "Удзельнікі сустрэчы абмеркавалі сітуацыю на беларуска-польскай мяжы.",
    "Паводле звестак памежнікаў, за суткі мяжу спрабавалі перайсці больш за сто чалавек.",
    "Літва пачала будаўніцтва агароджы на мяжы з Беларуссю.",
]


def ru22fact_uk(folder: Path) -> list[str]:
    f = folder / "data_parquets_ukrainian_fact_validate.parquet"
    try:
        import pyarrow.parquet as pq
    except ImportError:
        return []
    if not f.exists():
        return []
    table = pq.read_table(f, columns=["claim"])
    return [str(c).strip() for c in table.column("claim").to_pylist() if c and str(c).strip()]


def score(sentences: dict[str, list[str]], short: bool) -> dict[str, dict[str, object]]:
    res: dict[str, dict[str, object]] = {}
    for name, kw in SETUPS.items():
        per: dict[str, object] = {}
        total = right = 0
        t0 = time.perf_counter()
        for lang, sents in sentences.items():
            wrong: collections.Counter[str] = collections.Counter()
            ok = 0
            for s in sents:
                text = " ".join(s.split()[:3]) if short else s
                got, _ = detect_scored(text, **kw)  # type: ignore[arg-type]
                if got == lang:
                    ok += 1
                else:
                    wrong[str(got)] += 1
            per[lang] = {
                "n": len(sents),
                "accuracy": round(ok / max(1, len(sents)), 4),
                "confused": wrong.most_common(3),
            }
            total += len(sents)
            right += ok
        secs = time.perf_counter() - t0
        res[name] = {
            "accuracy": round(right / max(1, total), 4),
            "sentences_per_s": round(total / secs, 1),
            "per_language": per,
        }
    return res


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data" / "multilingual")
    ap.add_argument("--out", type=Path, default=ROOT / "bench" / "results" / "langid.json")
    args = ap.parse_args()
    sents = xnli_sentences(args.data / "xnli_dev")
    uk = ru22fact_uk(args.data / "ru22fact_subsets")
    if uk:
        sents["uk"] = uk
    sents["be"] = list(BELARUSIAN)
    if not sents:
        raise SystemExit(f"no XNLI files under {args.data / 'xnli_dev'}: pass --data ../shared/data/multilingual")
    out = {
        "bench": "langid",
        "date": dt.date.today().isoformat(),
        "command": "python bench/bench_langid.py",
        "data": {k: len(v) for k, v in sents.items()},
        "full": score(sents, short=False),
        "short_3_words": score(sents, short=True),
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(out, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    langs = list(sents)
    print("| set-up | all | " + " | ".join(langs) + " |")
    print("|---|---|" + "---|" * len(langs))
    for kind in ("full", "short_3_words"):
        for setup in SETUPS:
            r = out[kind][setup]  # type: ignore[index]
            cells = [f"{r['per_language'][lang]['accuracy']:.3f}" for lang in langs]
            print(f"| {kind} {setup} | {r['accuracy']:.3f} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
