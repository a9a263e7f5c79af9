"""Watch a folder: ingest new and changed files, extract their claims, group them, and raise an
alert for each claim that repeats something already checked or joins a rising group.

One cycle (`Watcher.run_once`) is: ingest the folder (documents are deduplicated by content, so
an unchanged file adds nothing and a changed one is a new document), extract the claims of the
documents not read yet, place the claims not grouped yet, then weigh every grouped corpus claim
not weighed before. Every step keeps its state in the store, and an alert is appended to the
alerts file before the store records it (the file's keys count as recorded on restart), so a
stop at any point loses nothing and repeats nothing.

An alert is one JSON object: the claim (text, speaker, outlet, date, document and offsets), its
group (id, wording, trend) and why: ``repeats-checked`` (its group holds a fact-check, or the
matcher finds one of the same claim) and/or ``rising-group``.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

from factdesk.narratives.corpus import CorpusClaims
from factdesk.narratives.track import Narratives
from factdesk.types import MemberKind, Narrative, NarrativeMember


def read_alert_keys(path: Path | None) -> set[str]:
    """Keys of the alerts already in the alerts file (lines that are not JSON objects are ignored)."""
    if path is None or not path.is_file():
        return set()
    keys = set()
    with path.open(encoding="utf-8", errors="replace") as f:
        for line in f:
            try:
                obj = json.loads(line)
            except ValueError:
                continue
            if isinstance(obj, dict) and isinstance(obj.get("key"), str):
                keys.add(obj["key"])
    return keys


class Watcher:
    """One folder, one store: `run_once()` does a cycle and returns the alerts it raised.

    Args:
        desk: a `factdesk.pipeline.Desk` (ingest, store, matcher).
        tracker: the `Narratives` over the desk's store.
        claims: the `CorpusClaims` stage over the desk's store.
        alerts_path: the JSON-lines file alerts are appended to (None: none).
        emit: called with each alert's JSON line (the CLI prints it).
        use_matcher: also ask the desk's fact-check matcher whether a claim was checked before.
    """

    def __init__(
        self,
        desk: Any,
        tracker: Narratives,
        claims: CorpusClaims,
        alerts_path: Path | None = None,
        emit: Callable[[str], None] | None = None,
        use_matcher: bool = True,
    ) -> None:
        self.desk = desk
        self.tracker = tracker
        self.claims = claims
        self.alerts_path = alerts_path
        self.emit = emit
        self.use_matcher = use_matcher

    def run_once(self, folder: str | os.PathLike[str]) -> list[dict[str, Any]]:
        self.desk.ingest_paths([folder], progress=False)
        self.claims.run()
        self.tracker.update()
        return self.raise_alerts()

    def raise_alerts(self) -> list[dict[str, Any]]:
        store = self.tracker.store
        done = store.alert_keys() | read_alert_keys(self.alerts_path)
        raised = []
        for n in self.tracker.list(min_size=1):
            for m in n.members:
                if m.kind is not MemberKind.CLAIM or m.key in done:
                    continue
                alert = self.weigh(n, m)
                if alert is not None:
                    line = json.dumps(alert, ensure_ascii=False)
                    if self.alerts_path is not None:
                        with self.alerts_path.open("a", encoding="utf-8") as f:
                            f.write(line + "\n")
                            f.flush()
                            os.fsync(f.fileno())
                    if self.emit is not None:
                        self.emit(line)
                    raised.append(alert)
                store.add_alert(m.key, alert)
        return raised

    def weigh(self, n: Narrative, m: NarrativeMember) -> dict[str, Any] | None:
        """The alert for claim `m` of group `n`, or None when it raises none."""
        checks = [
            {"rating": c.rating, "url": c.url, "publisher": c.outlet, "claim": c.text, "via": "group"} for c in n.checks
        ]
        if self.use_matcher:
            known = {c["url"] for c in checks}
            for match in self.desk.matcher.run(m.text, k=3):
                if match.url not in known:
                    checks.append(
                        {
                            "rating": match.rating,
                            "url": match.url,
                            "publisher": match.publisher,
                            "claim": match.claim,
                            "via": "matcher",
                            "probability": match.probability,
                        }
                    )
        reasons = (["repeats-checked"] if checks else []) + (["rising-group"] if n.trend == "rising" else [])
        if not reasons:
            return None
        return {
            "key": m.key,
            "reasons": reasons,
            "claim": m.text,
            "speaker": m.speaker,
            "speaker_title": m.speaker_title,
            "outlet": m.outlet,
            "date": m.date,
            "document_id": m.document_id,
            "start": m.start,
            "end": m.end,
            "narrative_id": n.id,
            "narrative": n.group.representative,
            "trend": n.trend,
            "group_size": n.group.size,
            "checks": checks,
            "at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        }
