"""factdesk.claims: find the claims worth checking, who made them and when.

The extractor is imported on first use, so the light modules (`dates`, `langtables`, the
attribution parts) can be used by the file readers without loading numpy and the extractor.

>>> from factdesk.claims import ClaimExtractor
>>> ClaimExtractor(top=5).top
5
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from factdesk.claims.extract import ClaimExtractor, ExtractedClaim, ExtractionResult

__all__ = ["ClaimExtractor", "ExtractedClaim", "ExtractionResult"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        from factdesk.claims import extract

        return getattr(extract, name)
    raise AttributeError(f"module 'factdesk.claims' has no attribute {name!r}")
