"""The whole database as text: every row of every table the models declare, every column.

Privacy tests search it for markers and raw tokens; taking the table list from the metadata
means a table added later is searched too, without touching the tests.
"""

import json

from sqlalchemy import select
from sqlmodel import Session, SQLModel


def database_text(session: Session) -> str:
    session.flush()
    parts: list[str] = []
    for table in SQLModel.metadata.sorted_tables:
        for row in session.execute(select(table)).all():
            for value in row:
                if value is None:
                    continue
                if isinstance(value, dict | list):
                    parts.append(json.dumps(value, ensure_ascii=False))
                elif isinstance(value, bytes):
                    parts.append(value.decode("latin-1"))
                else:
                    parts.append(str(value))
    return "\n".join(parts)
