"""The hybrid search behind LlamaIndex's retriever interface.

LlamaIndex's own BM25Retriever tokenises with its own splitter and ignores custom tokenizers, which
loses Korean morphology; this wraps our Kiwi + bm25s + Qdrant search instead, with the access list fixed
at construction so a query engine built on it can never read other collections.
"""

from __future__ import annotations

from collections.abc import Sequence

from llama_index.core.base.base_retriever import BaseRetriever
from llama_index.core.schema import NodeWithScore, QueryBundle, TextNode

from seoulai.retrieval.service import Hit, SearchService


class HybridRetriever(BaseRetriever):
    def __init__(self, search: SearchService, collections: Sequence[str], k: int = 5) -> None:
        super().__init__()
        self._search = search
        self._collections = list(collections)
        self._k = k

    def _retrieve(self, query_bundle: QueryBundle) -> list[NodeWithScore]:
        hits = self._search.search(query_bundle.query_str, self._collections, self._k)
        return [NodeWithScore(node=to_node(hit), score=hit.score) for hit in hits]


def to_node(hit: Hit) -> TextNode:
    metadata = {"source": hit.source, "title": hit.title, "section": hit.section, "page": hit.page,
                "collection": hit.collection, "effective_date": hit.effective_date}
    return TextNode(id_=hit.chunk_id, text=hit.text, metadata=metadata,
                    excluded_llm_metadata_keys=["collection"], excluded_embed_metadata_keys=list(metadata))


def from_node(node: NodeWithScore) -> Hit:
    meta = node.node.metadata
    return Hit(source=meta["source"], title=meta["title"], section=meta["section"], page=meta["page"],
               text=node.node.get_content(), score=float(node.score or 0.0), collection=meta["collection"],
               chunk_id=node.node.node_id, effective_date=meta.get("effective_date"))
