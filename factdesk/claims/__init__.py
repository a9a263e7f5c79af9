"""factdesk.claims: find the claims worth checking, who made them and when.

>>> from factdesk.claims import ClaimExtractor
>>> ClaimExtractor(top=5).top
5
"""

from factdesk.claims.extract import ClaimExtractor, ExtractedClaim, ExtractionResult

__all__ = ["ClaimExtractor", "ExtractedClaim", "ExtractionResult"]
