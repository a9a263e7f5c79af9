"""One registry of named backends; factdesk's own defaults register the way a plugin would.

>>> from factdesk.registry import registry
>>> "sqlite" in registry.names("store")
True
"""

from __future__ import annotations

from collections.abc import Callable
from importlib.metadata import entry_points
from typing import Any

from factdesk.errors import InputError


class Registry:
    """kind -> name -> factory. Third-party packages add entries under `factdesk.<kind>` entry points."""

    def __init__(self) -> None:
        self._factories: dict[str, dict[str, Callable[..., Any]]] = {}
        self._loaded_plugins = False

    def register(self, kind: str, name: str, factory: Callable[..., Any]) -> None:
        self._factories.setdefault(kind, {})[name] = factory

    def _load_plugins(self) -> None:
        if self._loaded_plugins:
            return
        self._loaded_plugins = True
        for kind in ("store", "stance", "embedder", "generator", "reranker"):
            for ep in entry_points(group=f"factdesk.{kind}"):
                self.register(kind, ep.name, ep.load())

    def names(self, kind: str) -> list[str]:
        self._load_plugins()
        return sorted(self._factories.get(kind, {}))

    def create(self, kind: str, name: str, **kwargs: Any) -> Any:
        self._load_plugins()
        try:
            factory = self._factories[kind][name]
        except KeyError:
            raise InputError(
                f"unknown {kind} {name!r}: choose one of {', '.join(self.names(kind)) or '(none)'}"
            ) from None
        return factory(**kwargs)


registry = Registry()


def _sqlite(path: str = "factdesk.db", dim: int = 384) -> Any:
    from factdesk.store.sqlite import SQLiteStore

    return SQLiteStore(path, dim=dim)


def _postgres(path: str, dim: int = 384) -> Any:
    from factdesk.config import Config
    from factdesk.store.postgres import PostgresStore

    return PostgresStore(path, dim=dim, index_build_memory=Config().get("pg_index_memory") or None)


def _minilm(**kw: Any) -> Any:
    from factdesk.models.embed import MiniLMEmbedder

    return MiniLMEmbedder(**kw)


def _stance(**kw: Any) -> Any:
    from factdesk.models.cross_encoder import OnnxCrossEncoder

    return OnnxCrossEncoder(**kw)


registry.register("store", "sqlite", _sqlite)
registry.register("store", "postgres", _postgres)
registry.register("embedder", "minilm", _minilm)


def _e5(**kw: Any) -> Any:
    from factdesk.models.e5 import E5Encoder

    return E5Encoder(**kw)


registry.register("embedder", "e5", _e5)


def _e5_stance(**kw: Any) -> Any:
    from factdesk.models.e5_cross_encoder import E5CrossEncoder

    return E5CrossEncoder(**kw)


def _routed_stance(**kw: Any) -> Any:
    from factdesk.models.cross_encoder import OnnxCrossEncoder
    from factdesk.models.e5_cross_encoder import E5CrossEncoder
    from factdesk.models.stance_router import LanguageRouter

    return LanguageRouter(english=OnnxCrossEncoder(**kw), multilingual=E5CrossEncoder(**kw))


registry.register("stance", "minilm-stance", _stance)
registry.register("stance", "e5-stance", _e5_stance)
registry.register("stance", "routed-stance", _routed_stance)


def _relevance_reranker(**kw: Any) -> Any:
    from factdesk.retrieval.rerank import RelevanceReranker

    return RelevanceReranker(**kw)


registry.register("reranker", "relevance", _relevance_reranker)


def _generator(name: str) -> Any:
    def make(**kw: Any) -> Any:
        from factdesk.models.generators import create_generator

        return create_generator(name, **kw)

    return make


for _g in ("llama-cpp", "smollm2", "openai"):
    registry.register("generator", _g, _generator(_g))


def open_store(db: str | None = None, dim: int = 384) -> Any:
    """A store from `--db`: a file path (SQLite) or a postgresql:// URL."""
    from factdesk.config import Config

    db = db or Config().get("db")
    if db.startswith(("postgresql://", "postgres://")):
        return registry.create("store", "postgres", path=db, dim=dim)
    return registry.create("store", "sqlite", path=db, dim=dim)
