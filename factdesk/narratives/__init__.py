"""factdesk.narratives: follow claims that come back across speakers, outlets and months.

`CorpusClaims` keeps the check-worthy claims of stored documents; `Narratives` groups them with
imported fact-checks and the desk's own checks, incrementally (`IncrementalGrouper`), and reads
the groups back with counts over time and a trend.

>>> from factdesk.narratives import IncrementalGrouper
>>> IncrementalGrouper(dim=4).threshold
0.78
"""

from factdesk.narratives.corpus import ClaimsReport, CorpusClaims
from factdesk.narratives.group import Assignment, IncrementalGrouper
from factdesk.narratives.track import Narratives, UpdateReport

__all__ = ["Assignment", "ClaimsReport", "CorpusClaims", "IncrementalGrouper", "Narratives", "UpdateReport"]
