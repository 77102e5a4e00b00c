"""Typed identifiers. Database keys are integers; tokens are strings."""

from typing import NewType

ChannelId = NewType("ChannelId", int)
LocationId = NewType("LocationId", int)
CategoryId = NewType("CategoryId", int)
ProductId = NewType("ProductId", int)
VariantId = NewType("VariantId", int)
StaffUserId = NewType("StaffUserId", int)
StaffTokenId = NewType("StaffTokenId", int)
ReservationId = NewType("ReservationId", int)
StockMovementId = NewType("StockMovementId", int)
CartId = NewType("CartId", int)
CartLineId = NewType("CartLineId", int)
CustomerId = NewType("CustomerId", int)
CustomerSessionId = NewType("CustomerSessionId", int)
OrderId = NewType("OrderId", int)
OrderLineId = NewType("OrderLineId", int)
FulfilmentId = NewType("FulfilmentId", int)
PickupId = NewType("PickupId", int)
ReturnId = NewType("ReturnId", int)
ReturnLineId = NewType("ReturnLineId", int)
RefundId = NewType("RefundId", int)
