"""Shared inline fixtures and stand-ins for tests/claims (imported by name: tests is not a package)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from factdesk.config import shared_root

SHARED = shared_root()
SEED = SHARED / "examples" / "polygraph-belarus-misleads.txt"
EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "claims"


class NumberScorer:
    """Check-worthiness by counting numbers and comparatives: deterministic and instant."""

    def warm_up(self) -> None:
        pass

    def score(self, sentences: Sequence[str]) -> np.ndarray:
        out = []
        for s in sentences:
            n = len(re.findall(r"\d+|percent|million|more than|became|become|machine|factory|global scale", s))
            out.append(min(0.95, 0.2 + 0.15 * n))
        return np.array(out, dtype=np.float32)


# Mirrors the seed article's shapes (pull-quote box, appositive title, "X proclaimed", a quote
# paragraph continuing the last speaker, "said in a speech in July") in our own words.
BOX_STORY = """Ministry blames neighbours for border crisis

Irena Volkova

Irena Volkova

Spokesperson for the Norland Interior Ministry

“Every winter the same governments lecture us while their own camps overflow.”

On March 3, the state agency Norpress quoted Irena Volkova, head of communications for the Interior Ministry.

Volkova claimed that neighbouring states are mostly responsible for the migrants gathering at the border.

"He (Hansen) stays silent on the real issue: over ten years, the alliance countries have turned into a factory of refugees on a global scale," Volkova proclaimed.

“Nobody has forgotten the winter of 2019. Thousands slept in train stations across the capital.”

In two speeches delivered in the summer of 2022, President Tomas Brandt all but admitted the plan.

“If anyone thinks we will seal our borders and become a holding camp, they are wrong,” Brandt said in a speech in July.

“We will hold nobody. They are heading to the rich cities of the west.”
"""
