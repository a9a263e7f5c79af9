"""Follow recurring claims: group corpus claims, imported fact-checks and the desk's own checks
incrementally, keep the groups in the store, and apply the editors' merges and splits.

>>> from factdesk.store.sqlite import SQLiteStore
>>> from factdesk.testing.fakes import FakeEmbedder
>>> from factdesk.types import ClaimMention
>>> store = SQLiteStore(":memory:", dim=64)
>>> _ = store.add_claims([ClaimMention("d1", 0, 40, "NATO is a machine producing refugees", date="2026-01-05"),
...                       ClaimMention("d2", 0, 40, "NATO is a machine producing refugees", date="2026-02-05")])
>>> tracker = Narratives(store, FakeEmbedder(dim=64))
>>> tracker.update().placed
2
>>> [(n.group.size, n.months) for n in tracker.list()]
[(2, {'2026-01': 1, '2026-02': 1})]
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from factdesk.errors import InputError, NotFound
from factdesk.models.embed import Embedder
from factdesk.narratives.group import DEFAULT_THRESHOLD, DEFAULT_WORD_WEIGHT, IncrementalGrouper
from factdesk.narratives.trend import counts, trend
from factdesk.types import (
    ClaimMention,
    MemberKind,
    Narrative,
    NarrativeEdit,
    NarrativeGroup,
    NarrativeMember,
    content_hash,
    parse_date,
)

CHECK_STATUSES = {"external": MemberKind.FACT_CHECK, "published": MemberKind.DESK_CHECK}
"""Checks that join groups: imported ones and the desk's published ones (as the matcher reads them)."""
_ALL = 10**9


def group_id(first_key: str) -> str:
    """A group's stable id: a hash of the member that started it."""
    return "n-" + content_hash("narrative", first_key, length=12)


def claim_member(m: ClaimMention, narrative_id: str = "", similarity: float = 1.0) -> NarrativeMember:
    return NarrativeMember(
        key=f"claim:{m.id}",
        narrative_id=narrative_id,
        kind=MemberKind.CLAIM,
        text=m.text,
        speaker=m.speaker,
        speaker_title=m.speaker_title,
        outlet=m.outlet,
        date=m.date.isoformat() if m.date else None,
        url=m.source,
        document_id=m.document_id,
        start=m.start,
        end=m.end,
        similarity=similarity,
    )


def check_member(check: dict[str, Any]) -> NarrativeMember | None:
    """A stored check (`get_check`/`list_checks` row) as a member; None when it has no claim text."""
    data = check.get("data") or {}
    claim: dict[str, Any] = data["claim"] if isinstance(data.get("claim"), dict) else {}
    text = str(claim.get("text") or "").strip()
    kind = CHECK_STATUSES.get(str(check.get("status")))
    if not text or kind is None:
        return None
    date = claim.get("date") or data.get("date") or (data.get("_desk") or {}).get("published")
    try:
        day = parse_date(str(date)[:10]) if date else None
    except ValueError:
        day = None
    return NarrativeMember(
        key=f"check:{check['id']}",
        narrative_id="",
        kind=kind,
        text=" ".join(text.split()),
        speaker=claim.get("speaker"),
        speaker_title=claim.get("speaker_title"),
        outlet=data.get("publisher"),
        date=day.isoformat() if day else None,
        rating=data.get("verdict"),
        url=data.get("url") or f"/checks/{check['id']}",
    )


@dataclass
class UpdateReport:
    placed: int = 0
    new_groups: int = 0
    joined: int = 0


def sources(members: Sequence[NarrativeMember]) -> set[str]:
    """The distinct documents and checks the members come from."""
    return {m.document_id or m.key for m in members}


def _date_order(m: NarrativeMember) -> tuple[bool, str, str]:
    return (m.date is None, m.date or "", m.key)


class Narratives:
    """Recurring claims over a store: `update()` places what is new, `list()` reads the groups.

    Grouping is incremental (`IncrementalGrouper`): a claim joins a group or starts one and no
    group is ever re-clustered, so ids stay stable. Members are placed oldest first; a group's
    representative wording is that of its first fact-check (the checked wording), else of the
    claim that started it. Editors' merges and splits change the stored groups and are kept in
    the store's edit log (`rebuild()` replays them after grouping everything again).

    Args:
        store: a store with the claim and narrative tables.
        embedder: sentence embedder (L2-normalised vectors; the store's dimension).
        threshold, word_weight: the grouper's decision (see `IncrementalGrouper`).
        matcher: a fact-check matcher (`Desk.matcher`): a claim it says repeats a checked claim
            (`run`, the same-claim decision) joins that check's group, whatever the grouper
            would say. Checks are placed before claims, so they are there to be joined.
        multilingual: a cross-lingual encoder (e5): wordings in different languages join the
            same group (`IncrementalGrouper.decide_across`); None: as before, English-minded.
    """

    def __init__(
        self,
        store: Any,
        embedder: Embedder,
        threshold: float = DEFAULT_THRESHOLD,
        word_weight: float = DEFAULT_WORD_WEIGHT,
        batch_size: int = 64,
        matcher: Any = None,
        multilingual: Embedder | None = None,
    ) -> None:
        self.store = store
        self.embedder = embedder
        self.multilingual = multilingual
        self.matcher = matcher
        self.threshold = threshold
        self.word_weight = word_weight
        self.batch_size = batch_size

    def warm_up(self) -> None:
        self.embedder.warm_up()
        if self.multilingual is not None:
            self.multilingual.warm_up()

    def _languages(self, texts: list[str]) -> list[str | None]:
        from factdesk.lang import detect_many

        return detect_many(texts)

    # --- grouping ---------------------------------------------------------------------------
    def pending(self) -> list[NarrativeMember]:
        """Checks, then corpus claims, not in any group yet; each oldest first (undated last)."""
        placed = {m.key for m in self.store.list_narrative_members()}
        todo = [claim_member(m) for m in self.store.list_claims() if f"claim:{m.id}" not in placed]
        for status in CHECK_STATUSES:
            for row in self.store.list_checks(status=status, limit=_ALL):
                cm = check_member(row)
                if cm is not None and cm.key not in placed:
                    todo.append(cm)
        # Checks first: they anchor the claims that repeat them.
        return sorted(todo, key=lambda m: (m.kind is MemberKind.CLAIM, *_date_order(m)))

    def _anchor(self, m: NarrativeMember, where: dict[str, int]) -> int | None:
        """The group position of the check the matcher says `m` repeats, if it is grouped."""
        if self.matcher is None or m.kind is not MemberKind.CLAIM:
            return None
        for hit in self.matcher.run(m.text, k=1):
            return where.get(f"check:{hit.check_id}")
        return None

    def _load(self) -> tuple[IncrementalGrouper, list[NarrativeGroup], dict[str, list[NarrativeMember]]]:
        ml = self.multilingual
        grouper = IncrementalGrouper(
            dim=self.embedder.dim,
            threshold=self.threshold,
            word_weight=self.word_weight,
            multilingual_dim=ml.dim if ml is not None else 0,
        )
        groups = self.store.list_narrative_groups()
        centroids = self.store.narrative_centroids()
        members: dict[str, list[NarrativeMember]] = {}
        for m in self.store.list_narrative_members():
            members.setdefault(m.narrative_id, []).append(m)
            grouper.note_words(m.text)
        for g in groups:
            first = min(members.get(g.id, []), key=_date_order, default=None)
            texts = [m.text for m in members.get(g.id, [])]
            # The store keeps the English centroid only: the multilingual one is embedded again.
            mlv = ml.embed(texts) if ml is not None and texts else None
            langs = {x for x in self._languages(texts) if x} if ml is not None else set()
            grouper.restore(centroids[g.id], g.size, first.text if first else g.representative, mlv, langs)
        return grouper, groups, members

    def update(self, progress: Callable[[str], None] | None = None) -> UpdateReport:
        """Place every pending claim and check; the touched groups are saved in one transaction."""
        todo = self.pending()
        report = UpdateReport()
        if not todo:
            return report
        self.warm_up()
        grouper, groups, members = self._load()
        position = {g.id: i for i, g in enumerate(groups)}
        where = {m.key: position[gid] for gid, ms in members.items() if gid in position for m in ms}
        touched: set[int] = set()
        for start in range(0, len(todo), self.batch_size):
            batch = todo[start : start + self.batch_size]
            vectors = np.asarray(self.embedder.embed([m.text for m in batch]), dtype=np.float32)
            mlv: list[Any] = [None] * len(batch)
            langs: list[str | None] = [None] * len(batch)
            if self.multilingual is not None:
                mlv = list(np.asarray(self.multilingual.embed([m.text for m in batch]), dtype=np.float32))
                langs = self._languages([m.text for m in batch])
            for m, v, mv, lang in zip(batch, vectors, mlv, langs, strict=True):
                a = grouper.add(v, m.text, group=self._anchor(m, where), ml_vector=mv, lang=lang)
                if a.new:
                    groups.append(NarrativeGroup(id=group_id(m.key), representative=m.text))
                    report.new_groups += 1
                else:
                    report.joined += 1
                g = groups[a.group]
                m.narrative_id, m.similarity = g.id, round(a.similarity, 4)
                members.setdefault(g.id, []).append(m)
                where[m.key] = a.group
                touched.add(a.group)
                report.placed += 1
            if progress:
                progress(f"grouped {min(start + self.batch_size, len(todo))} of {len(todo)}")
        saved = [(self._refresh(groups[i], members[groups[i].id]), grouper.mean(i)) for i in sorted(touched)]
        self.store.save_narratives(saved, todo)
        return report

    @staticmethod
    def _refresh(g: NarrativeGroup, members: Sequence[NarrativeMember]) -> NarrativeGroup:
        ms = sorted(members, key=_date_order)
        checks = [m for m in ms if m.kind is not MemberKind.CLAIM]
        g.representative = (checks[0] if checks else ms[0]).text if ms else g.representative
        dates = [m.date for m in ms if m.date]
        g.size = len(ms)
        g.first_seen, g.last_seen = (min(dates), max(dates)) if dates else (None, None)
        return g

    def rebuild(self) -> UpdateReport:
        """Group everything again from scratch, then replay the editors' merges and splits in order."""
        self.store.save_narratives([], [], deleted=[g.id for g in self.store.list_narrative_groups()])
        report = self.update()
        for e in self.store.list_narrative_edits():
            try:
                if e.action == "merge" and e.other_id:
                    self._merge(e.narrative_id, e.other_id, follow=False)
                elif e.action == "split" and e.member_key:
                    self._split(e.member_key)
            except (NotFound, InputError):
                continue  # its groups no longer exist in this grouping, or it holds already
        return report

    # --- editors' corrections ---------------------------------------------------------------
    def resolve(self, narrative_id: str) -> str:
        """The group an id stands for now (a merged group's id points to the group it joined)."""
        seen = {narrative_id}
        edits = [e for e in self.store.list_narrative_edits() if e.action == "merge"]
        current = narrative_id
        changed = True
        while changed:
            changed = False
            for e in edits:
                if e.other_id == current and e.narrative_id not in seen:
                    current = e.narrative_id
                    seen.add(current)
                    changed = True
        return current

    def _group(
        self, narrative_id: str, follow: bool = True
    ) -> tuple[NarrativeGroup, np.ndarray, list[NarrativeMember]]:
        gid = self.resolve(narrative_id) if follow else narrative_id
        found = [g for g in self.store.list_narrative_groups() if g.id == gid]
        if not found:
            raise NotFound(f"no recurring claim {narrative_id!r}: list them with `factdesk narratives --format json`")
        return found[0], self.store.narrative_centroids()[gid], self.store.list_narrative_members(gid)

    def _merge(self, into: str, other: str, follow: bool = True) -> str:
        # While replaying the log (follow=False) ids are taken as written: the log already holds this merge.
        g, gv, gm = self._group(into, follow)
        o, ov, om = self._group(other, follow)
        if g.id == o.id:
            raise InputError(f"{into} and {other} are already one group")
        for m in om:
            m.narrative_id = g.id
        mean = (gv * g.size + ov * o.size) / max(g.size + o.size, 1)
        self.store.save_narratives([(self._refresh(g, gm + om), mean)], om, deleted=[o.id])
        return g.id

    def merge(self, into: str, other: str, user: str = "cli", note: str = "") -> str:
        """Move group `other`'s members into group `into` and keep the edit; the surviving id."""
        other_id = self.resolve(other)
        gid = self._merge(into, other)
        self.store.add_narrative_edit(NarrativeEdit("merge", narrative_id=gid, other_id=other_id, user=user, note=note))
        return gid

    def _split(self, member_key: str) -> str:
        found = [m for m in self.store.list_narrative_members() if m.key == member_key]
        if not found:
            raise NotFound(
                f"no grouped claim {member_key!r}: member keys are listed by "
                "`factdesk narratives --format json` (claim:... or check:...)"
            )
        m = found[0]
        g, gv, gm = self._group(m.narrative_id)
        if len(gm) < 2:
            raise InputError(f"{member_key} is alone in its group already")
        self.warm_up()
        v = np.asarray(self.embedder.embed([m.text])[0], dtype=np.float32)
        rest = [x for x in gm if x.key != member_key]
        mean = (gv * g.size - v) / max(len(rest), 1)
        new = NarrativeGroup(id=group_id("split:" + member_key), representative=m.text)
        m.narrative_id, m.pinned, m.similarity = new.id, True, 1.0
        self.store.save_narratives([(self._refresh(g, rest), mean), (self._refresh(new, [m]), v)], [m])
        return new.id

    def split(self, member_key: str, user: str = "cli", note: str = "") -> str:
        """Take one member out of its group into a group of its own (pinned there); the new id."""
        found = [m for m in self.store.list_narrative_members() if m.key == member_key]
        old = found[0].narrative_id if found else ""
        gid = self._split(member_key)
        self.store.add_narrative_edit(
            NarrativeEdit("split", narrative_id=old, other_id=gid, member_key=member_key, user=user, note=note)
        )
        return gid

    # --- reading ----------------------------------------------------------------------------
    def list(
        self,
        since: dt.date | None = None,
        until: dt.date | None = None,
        min_size: int = 1,
        today: dt.date | None = None,
    ) -> list[Narrative]:
        """The groups seen in at least `min_size` sources (documents and checks: a claim said twice
        in one article does not recur) among their members dated in [since, until] (undated
        members count only without bounds), biggest first; `today` is the trends' reference day
        (default: the latest date)."""
        members: dict[str, list[NarrativeMember]] = {}
        for m in self.store.list_narrative_members():
            members.setdefault(m.narrative_id, []).append(m)
        all_dates = [d for ms in members.values() for m in ms if (d := parse_date(m.date)) is not None]
        ref = today or until or (max(all_dates) if all_dates else dt.date.today())
        out = []
        for g in self.store.list_narrative_groups():
            ms = [m for m in members.get(g.id, []) if self._within(m, since, until)]
            if len(sources(ms)) < max(min_size, 1):
                continue
            out.append(self.view(g, ms, ref))
        return sorted(out, key=lambda n: (-n.group.size, -len(n.members), n.group.last_seen or "", n.id))

    @staticmethod
    def _within(m: NarrativeMember, since: dt.date | None, until: dt.date | None) -> bool:
        if since is None and until is None:
            return True
        d = parse_date(m.date)
        return d is not None and (since is None or d >= since) and (until is None or d <= until)

    def view(self, g: NarrativeGroup, members: Sequence[NarrativeMember], today: dt.date) -> Narrative:
        claim_dates = [d for m in members if m.kind is MemberKind.CLAIM and (d := parse_date(m.date)) is not None]
        weeks, months = counts(claim_dates)
        speakers = list(dict.fromkeys(m.speaker for m in members if m.speaker and m.kind is MemberKind.CLAIM))
        outlets = list(dict.fromkeys(m.outlet for m in members if m.outlet and m.kind is MemberKind.CLAIM))
        return Narrative(
            group=g,
            members=sorted(members, key=_date_order),
            weeks=weeks,
            months=months,
            speakers=speakers,
            outlets=outlets,
            trend=trend(claim_dates, today),
        )

    def get(self, narrative_id: str, today: dt.date | None = None) -> Narrative:
        g, _, ms = self._group(narrative_id)
        dates = [d for m in ms if (d := parse_date(m.date)) is not None]
        return self.view(g, ms, today or (max(dates) if dates else dt.date.today()))
