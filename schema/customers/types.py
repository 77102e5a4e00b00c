"""GraphQL types for customers."""

from __future__ import annotations

from datetime import datetime

import strawberry

from core.customers import model
from schema.relay import Node, to_global_id


@strawberry.type(
    description="A shopper's account, one across every channel. Only its owner sees it."
)
class Customer(Node):
    id: strawberry.ID
    email: str = strawberry.field(description="In lower case, as it was stored.")
    name: str
    created_at: datetime
    customer_id: strawberry.Private[int]

    @classmethod
    def from_model(cls, customer: model.Customer) -> Customer:
        return cls(
            id=strawberry.ID(to_global_id("Customer", customer.id)),
            email=customer.email,
            name=customer.name,
            created_at=customer.created_at,
            customer_id=customer.id,
        )
