"""Retrieval: from a claim to candidate evidence, and the re-rank that picks what to weigh.

Read in order: `query` (the claim's content words, or its lemmas in another language),
`multilingual` (which model and index serve a claim, by its language, and the e5 search),
`lexical` (BM25 over the store's full-text index), `dense` (nearest embeddings), `fusion`
(reciprocal rank fusion and the near-duplicate rule), `hybrid` (the desk's default
`Retriever`), `timefilter` (the evidence cut-off for a dated claim) and `rerank` (the default
`Reranker`, run once passages are judged). The stores answer only the primitive queries these call: `lexical_search`,
`dense_search` and `get_passages` (and, for retrieval across languages, `MultilingualIndex`'s
`lemma_search` and `multilingual_search`).
"""
