"""Public wire bodies shared by the service that answers a route and the gateway that documents
it in its OpenAPI document (the TypeScript SDK generates its types from that document).

camelCase on the wire; names follow upstream ``@useatlas/types`` where a route exists there.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict
from pydantic.alias_generators import to_camel


class WireModel(BaseModel):
    """A public body: camelCase aliases, snake_case in Python."""

    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True)
