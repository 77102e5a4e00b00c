"""The database layer: metadata and column types, the engine and sessions, the statement
driver, the read connections (one module per database), upsert and uniqueness helpers.

The names most modules need are re-exported here (``from core.db import table_of``).
"""

from core.db.engine import (
    READ_OPTION,
    WRITE_OPTION,
    create_engine,
    is_sqlite,
    read_engine,
    session_factory,
)
from core.db.metadata import (
    NAMING_CONVENTION,
    Base,
    BigId,
    JSONText,
    UTCDateTime,
    in_bound_list,
    json_dumps,
    metadata,
    table_of,
)

__all__ = [
    "NAMING_CONVENTION",
    "READ_OPTION",
    "WRITE_OPTION",
    "Base",
    "BigId",
    "JSONText",
    "UTCDateTime",
    "create_engine",
    "in_bound_list",
    "is_sqlite",
    "json_dumps",
    "metadata",
    "read_engine",
    "session_factory",
    "table_of",
]
