"""Hook specifications: everything a plugin (channel adapter) can be asked.

This is the only hookspec module. Built-in adapters (``plugins/``) and third-party
plugins implement exactly these hooks and are discovered the same way: through the
``omnicart.plugins`` entry-point group. A plugin is a module or object with
``@hookimpl``-decorated functions named like the specs below; it may also carry
``settings_class``, a dataclass validating the settings a channel enables it with,
and, for a payment provider, ``provider`` (the name clients pay with, such as
``"test-gateway"``) and ``requires_pickup`` (True when paid at collection).

Services never call ``pm.hook`` (pluggy is synchronous and typed ``Any``): they call
the typed functions in ``core.plugin_host``, which run only the plugins enabled in
the request's channel, await each implementation, apply the combining rule written
in each spec, and wrap a plugin's exception in ``PluginError``.

Arguments are passed by keyword. An implementation may accept any subset of a spec's
arguments; arguments may be added in later versions, never removed or renamed
without a deprecation cycle.
"""

from __future__ import annotations

from collections.abc import Awaitable, Mapping, Sequence
from dataclasses import dataclass, field

import pluggy

from core.carts.addresses import MailingAddress
from core.carts.model import Cart
from core.channels.model import Channel
from core.delivery.model import (
    CheckoutContext,
    CheckoutProblem,
    DeliveryContext,
    DeliveryOption,
    DeliverySelection,
    FulfilmentPlan,
    SourcingContext,
)
from core.events.model import DeliveredEvent
from core.ids import ProductId, VariantId
from core.money import Money
from core.orders.import_model import MarketplaceOrder
from core.payments.model import Authorization, PaymentContext, PaymentRequest, PaymentTransaction

PROJECT_NAME = "omnicart"

hookspec = pluggy.HookspecMarker(PROJECT_NAME)
hookimpl = pluggy.HookimplMarker(PROJECT_NAME)


@dataclass(frozen=True, slots=True)
class PriceLine:
    """One line to price: a variant, a quantity and its base unit price in the channel."""

    key: str
    variant_id: VariantId
    product_id: ProductId
    sku: str
    quantity: int
    unit_price: Money


@dataclass(frozen=True, slots=True)
class PriceAdjustment:
    """A change to one line's unit price (negative for a discount), with a label for people."""

    line_key: str
    amount_per_unit: Money
    label: str


@dataclass(frozen=True, slots=True)
class PricingContext:
    """Who is asking: the channel, the customer when known, and the buyer's attributes.

    ``attributes`` are the key-value pairs a client attached to what is being priced
    (a cart's attributes, or those given at the till), such as
    ``{"loyalty.redeemPoints": "500"}``: plugins read the keys they own and ignore the
    rest. Empty when nothing is being bought (a catalog listing).
    """

    channel: Channel
    customer_id: int | None = None
    attributes: Mapping[str, str] = field(default_factory=dict)


# --------------------------------------------------------------------------
# Pricing
# --------------------------------------------------------------------------


@hookspec
def omnicart_price_lines(
    context: PricingContext,
    lines: Sequence[PriceLine],
    settings: object,
) -> Sequence[PriceAdjustment] | Awaitable[Sequence[PriceAdjustment] | None] | None:
    """Adjust the unit prices of a batch of lines in a channel and customer context.

    **Called by** ``core.plugin_host.PluginHost.price_lines``, once per request for
    every line that request prices (a listing of 80 variants is one call, not 80),
    inside the request's read or transaction, before anything is returned.

    **Arguments**
    - ``context``: the channel (slug, kind, currency) and the customer id or None.
    - ``lines``: the lines, each with a ``key`` unique in the batch, the variant,
      product, SKU, quantity and base unit price in the channel's currency.
    - ``settings``: this plugin's settings in this channel, an instance of its
      ``settings_class`` (or the raw mapping when it has none).

    **Returns** adjustments, each naming a line by ``key``, an amount per unit in the
    channel's currency (negative lowers the price) and a label shown to shoppers;
    or None for no opinion. May be a coroutine.

    **Combining** all results, in the channel's plugin order; the host labels each
    adjustment with the plugin that made it and adds them to the base price. A unit
    price never goes below zero. An adjustment in another currency or for an
    unknown line key is a plugin failure.

    **Errors** an exception becomes ``PluginError`` naming the plugin: the request's
    transaction is rolled back and the client gets code ``PLUGIN_FAILED``.

    **Since** 0.1.
    """
    return None


# --------------------------------------------------------------------------
# Availability
# --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class AvailabilityContext:
    """Where availability is asked: the channel (its kind, settings and display rule)."""

    channel: Channel


@hookspec
def omnicart_variant_availability(
    context: AvailabilityContext,
    quantities: Mapping[VariantId, int],
    settings: object,
) -> Mapping[VariantId, int] | Awaitable[Mapping[VariantId, int] | None] | None:
    """Lower how much of each variant a channel may show or sell (a safety buffer).

    **Called by** ``core.plugin_host.PluginHost.available_quantities``, once per batch of
    variants whose availability a request shows (a listing is one call), inside the
    request's read or transaction, after stock was summed over the locations that
    supply the channel and before the channel's display rule (exact quantity or
    only IN_STOCK / LOW_STOCK / OUT_OF_STOCK) is applied.

    **Arguments**
    - ``context``: the channel.
    - ``quantities``: per variant id, the units available in the channel: on hand
      less active reservations, summed over the supplying locations (never negative).
    - ``settings``: this plugin's settings in this channel, an instance of its
      ``settings_class`` (or the raw mapping when it has none).

    **Returns** per variant id, the units the channel may show and sell; variants left
    out keep their quantity. Or None for no opinion. May be a coroutine.

    **Combining** each plugin may only lower: the host takes, per variant, the minimum
    of the summed quantity and every plugin's answer, in the channel's plugin order
    (a value above the quantity it was given changes nothing; a negative one counts as
    zero). A key that was not asked for, or a value that is not a whole number, is a
    plugin failure.

    **Errors** an exception becomes ``PluginError`` naming the plugin: the request's
    transaction is rolled back and the client gets code ``PLUGIN_FAILED``.

    **Since** 0.2.
    """
    return None


# --------------------------------------------------------------------------
# Payments
# --------------------------------------------------------------------------
# Each payment hook is answered by one plugin: the one enabled in the channel whose
# ``provider`` attribute names the payment's provider. A channel accepts exactly the
# providers of the payment plugins it enables (docs/plugins.md, "Payment providers").


@hookspec(firstresult=True)
def omnicart_payment_authorize(
    context: PaymentContext,
    request: PaymentRequest,
    settings: object,
) -> Authorization | Awaitable[Authorization | None] | None:
    """Authorise a payment: hold the amount on the shopper's account, or decline.

    **Called by** ``core.plugin_host.PluginHost.authorize_payment`` (from
    ``core.payments.services.authorize``), once per checkout attempt, inside the
    checkout's transaction, before the order is written; only after the request was
    checked (provider accepted by the channel, amount positive in the channel's
    currency, pickup-only when the provider requires it).

    **Arguments**
    - ``context``: the channel.
    - ``request``: the provider name, the amount, the caller's idempotent ``reference``
      (the order number), the client's ``data`` for the provider (a card token; never
      log it), the shopper's email when known and whether the order is pickup-only.
    - ``settings``: this plugin's settings in this channel, an instance of its
      ``settings_class`` (or the raw mapping when it has none).

    **Returns** an ``Authorization`` for exactly the request's provider, reference and
    amount, with outcome APPROVED, DECLINED or PENDING (nothing authorised until
    collection). The same reference asked twice must give the same authorisation, not
    a second hold: pass it to the provider as its idempotency key. May be a coroutine.

    **Combining** only the channel's plugin whose ``provider`` matches is called; its
    answer is the result. None, or an answer for another provider, reference, amount
    or currency, is a plugin failure. A DECLINED answer becomes code
    ``PAYMENT_DECLINED`` for the client (not a failure).

    **Errors** an exception becomes ``PluginError`` naming the plugin: the request's
    transaction is rolled back (no order) and the client gets code ``PLUGIN_FAILED``.

    **Since** 0.3.
    """
    return None


@hookspec(firstresult=True)
def omnicart_payment_capture(
    context: PaymentContext,
    authorization: Authorization,
    amount: Money,
    settings: object,
) -> PaymentTransaction | Awaitable[PaymentTransaction | None] | None:
    """Capture (charge) all or part of an authorised or pending payment.

    **Called by** ``core.plugin_host.PluginHost.capture_payment`` (from
    ``core.payments.services.capture``) when the order's goods are shipped or
    collected, inside that transaction, after the amount was checked: positive, in the
    authorisation's currency, and with earlier captures not above the authorised amount.

    **Arguments**
    - ``context``: the channel.
    - ``authorization``: the order's authorisation as the provider gave it (APPROVED,
      or PENDING for a provider paid at collection).
    - ``amount``: the amount to capture now.
    - ``settings``: this plugin's settings in this channel.

    **Returns** a ``PaymentTransaction`` of kind CAPTURE for exactly ``amount``, with
    outcome SUCCEEDED or DECLINED (the provider refused: nothing was charged).
    May be a coroutine.

    **Combining** only the channel's plugin whose ``provider`` matches is called; None
    or an answer of another kind, provider, amount or currency is a plugin failure.

    **Errors** an exception becomes ``PluginError`` naming the plugin: the request's
    transaction is rolled back and the client gets code ``PLUGIN_FAILED``.

    **Since** 0.3.
    """
    return None


@hookspec(firstresult=True)
def omnicart_payment_void(
    context: PaymentContext,
    authorization: Authorization,
    settings: object,
) -> PaymentTransaction | Awaitable[PaymentTransaction | None] | None:
    """Void an authorisation: release the held amount without charging it.

    **Called by** ``core.plugin_host.PluginHost.void_payment`` (from
    ``core.payments.services.void``) when an order is cancelled before capture, and
    when checkout fails after the authorisation (a crash or a plugin failure later in
    checkout voids the authorisation, so no hold outlives a failed checkout).

    **Arguments**
    - ``context``: the channel.
    - ``authorization``: the authorisation to release (APPROVED, or PENDING).
    - ``settings``: this plugin's settings in this channel.

    **Returns** a ``PaymentTransaction`` of kind VOID for the authorisation's amount,
    with outcome SUCCEEDED or DECLINED. Voiding twice must succeed twice.
    May be a coroutine.

    **Combining** only the channel's plugin whose ``provider`` matches is called; None
    or an answer of another kind, provider, amount or currency is a plugin failure.

    **Errors** an exception becomes ``PluginError`` naming the plugin: the request's
    transaction is rolled back and the client gets code ``PLUGIN_FAILED``.

    **Since** 0.3.
    """
    return None


@hookspec(firstresult=True)
def omnicart_payment_refund(
    context: PaymentContext,
    authorization: Authorization,
    amount: Money,
    settings: object,
) -> PaymentTransaction | Awaitable[PaymentTransaction | None] | None:
    """Refund all or part of what was captured.

    **Called by** ``core.plugin_host.PluginHost.refund_payment`` (from
    ``core.payments.services.refund``) when a captured order is cancelled or returned,
    inside that transaction, after the amount was checked: positive, in the
    authorisation's currency, and with earlier refunds not above what was captured.

    **Arguments**
    - ``context``: the channel.
    - ``authorization``: the order's authorisation as the provider gave it.
    - ``amount``: the amount to refund now.
    - ``settings``: this plugin's settings in this channel.

    **Returns** a ``PaymentTransaction`` of kind REFUND for exactly ``amount``, with
    outcome SUCCEEDED or DECLINED (the provider refused: nothing was paid back).
    May be a coroutine.

    **Combining** only the channel's plugin whose ``provider`` matches is called; None
    or an answer of another kind, provider, amount or currency is a plugin failure.

    **Errors** an exception becomes ``PluginError`` naming the plugin: the request's
    transaction is rolled back and the client gets code ``PLUGIN_FAILED``.

    **Since** 0.3.
    """
    return None


# --------------------------------------------------------------------------
# Fulfilment (delivery options)
# --------------------------------------------------------------------------


@hookspec
def omnicart_delivery_options(
    channel: Channel,
    cart: Cart,
    address: MailingAddress | None,
    context: DeliveryContext,
    settings: object,
) -> Sequence[DeliveryOption] | Awaitable[Sequence[DeliveryOption] | None] | None:
    """Offer ways to deliver one delivery group of a cart.

    **Called by** ``core.plugin_host.PluginHost.delivery_options``, once per delivery
    group (``core.delivery.groups``) each time a cart's groups are worked out: when
    ``Cart.deliveryGroups`` is read, when a selection is made, and when a cart with a
    selection is priced (its delivery amount); inside the request's read or
    transaction.

    **Arguments**
    - ``channel``: the cart's channel.
    - ``cart``: the cart with only the group's lines in ``lines``.
    - ``address``: the cart's shipping address, or None when not given yet.
    - ``context``: the time now, the group's goods amount (after price adjustments),
      the stock each supplying location can give this cart (priority order) and the
      shopper's coordinates when the request gives them.
    - ``settings``: this plugin's settings in this channel, an instance of its
      ``settings_class`` (or the raw mapping when it has none).

    **Returns** options, each with a ``handle`` unique in the group and stable across
    calls (the shopper selects by it), a title, method, cost in the channel's
    currency, an estimate, the location that hands the lines over (pick-up), and
    optionally ``line_ids``: the subset of the group it covers (the other lines then
    form a group of their own when it is selected). Or None for no opinion. May be a
    coroutine.

    **Combining** all results, in the channel's plugin order: every enabled plugin's
    options are offered together, each labelled with the plugin that made it. A
    handle offered twice in a group, a cost in another currency or a negative one, or
    a line id outside the group is a plugin failure.

    **Errors** an exception becomes ``PluginError`` naming the plugin: the request's
    transaction is rolled back and the client gets code ``PLUGIN_FAILED``.

    **Since** 0.3.
    """
    return None


# --------------------------------------------------------------------------
# Sourcing
# --------------------------------------------------------------------------


@hookspec(firstresult=True)
def omnicart_source_lines(
    channel: Channel,
    cart: Cart,
    selection: DeliverySelection,
    context: SourcingContext,
    settings: object,
) -> FulfilmentPlan | Awaitable[FulfilmentPlan | None] | None:
    """Plan which location supplies which units of which line.

    **Called by** ``core.plugin_host.PluginHost.source_lines`` from
    ``core.delivery.services.source_lines``, when checkout plans an order's
    fulfilment, inside the request's transaction.

    **Arguments**
    - ``channel``: the cart's channel.
    - ``cart``: the cart, every line.
    - ``selection``: the shopper's selection, delivery group id to option handle.
    - ``context``: the time now, the delivery groups with their selected options and
      the stock each supplying location can give this cart (priority order).
    - ``settings``: this plugin's settings in this channel.

    **Returns** a ``FulfilmentPlan`` (sourced lines: line, variant, location,
    quantity, group id; and what no location can supply), or None for no opinion.
    May be a coroutine.

    **Combining** the first non-None result, in the channel's plugin order, wins.
    When no plugin answers, the built-in default plans (``core.delivery.sourcing``):
    pick-up groups at the chosen store (topped up from the other locations when the
    option allows a transfer), every other group from the channel's locations in
    priority order, as reservations are taken. A plan naming a line of another cart
    or more units than the line has is a plugin failure.

    **Errors** an exception becomes ``PluginError`` naming the plugin: the request's
    transaction is rolled back and the client gets code ``PLUGIN_FAILED``.

    **Since** 0.3.
    """
    return None


# --------------------------------------------------------------------------
# Validation
# --------------------------------------------------------------------------


@hookspec
def omnicart_checkout_validate(
    channel: Channel,
    cart: Cart,
    context: CheckoutContext,
    settings: object,
) -> Sequence[CheckoutProblem] | Awaitable[Sequence[CheckoutProblem] | None] | None:
    """Report problems that block checkout of a cart.

    **Called by** ``core.plugin_host.PluginHost.checkout_problems`` from
    ``core.delivery.services.checkout_problems``, when checkout starts (and whenever a
    client asks what still blocks it), and when the till prices a sale
    (``core.orders.till``, with the sale's lines as the cart: since 0.5), inside the
    request's read or transaction.

    **Arguments**
    - ``channel``: the cart's channel.
    - ``cart``: the cart, every line, its addresses and delivery selection.
    - ``context``: the time now and, when the caller worked them out, the delivery
      groups.
    - ``settings``: this plugin's settings in this channel.

    **Returns** problems, each a code (SCREAMING_SNAKE, for programs) and a message
    (for people); or None (or an empty list) when this plugin sees none. May be a
    coroutine.

    **Combining** all results, in the channel's plugin order; each problem is labelled
    with the plugin that reported it. Any problem blocks checkout.

    **Errors** an exception becomes ``PluginError`` naming the plugin: the request's
    transaction is rolled back and the client gets code ``PLUGIN_FAILED``.

    **Since** 0.3.
    """
    return None


# --------------------------------------------------------------------------
# Marketplace orders
# --------------------------------------------------------------------------


@hookspec(firstresult=True)
def omnicart_marketplace_order(
    channel: Channel,
    body: bytes,
    headers: Mapping[str, str],
    settings: object,
) -> MarketplaceOrder | Awaitable[MarketplaceOrder | None] | None:
    """Read an order a marketplace sent to its webhook, in this plugin's format.

    **Called by** ``core.orders.marketplace_hooks.parse_marketplace_order``, from the
    HTTP endpoint ``POST /channels/{channel}/marketplace-orders``
    (``schema.marketplace_orders``), when a marketplace (or a social shop) posts an
    order, before the import's transaction: the order it returns then goes through
    the same import as ``marketplaceOrderImport`` (``core.orders.imports``).

    **Arguments**
    - ``channel``: the channel named in the URL (of kind marketplace).
    - ``body``: the request body, exactly as received (check a signature over it
      before parsing it).
    - ``headers``: the request headers, names in lower case.
    - ``settings``: this plugin's settings in this channel (a webhook secret, say).

    **Returns** a ``core.orders.import_model.MarketplaceOrder`` (external id, placed
    at, email, shipping address, lines with SKU, quantity and unit price, delivery
    amount), or None when the body is not in this plugin's format (another plugin
    may read it). May be a coroutine.

    **Combining** the first non-None result, in the channel's plugin order, wins. When
    no plugin answers, the order is refused (``MARKETPLACE_ORDER_REJECTED``).

    **Errors** raise ``core.orders.import_model.MarketplaceSignatureInvalid`` for a
    missing or wrong signature (the endpoint answers 401) and
    ``MarketplaceOrderRejected`` for a body it will not import (422, code
    ``MARKETPLACE_ORDER_REJECTED`` with the message given); nothing is written. Any
    other exception becomes ``PluginError`` naming the plugin (``PLUGIN_FAILED``).

    **Since** 0.5.
    """
    return None


# --------------------------------------------------------------------------
# Customers
# --------------------------------------------------------------------------


@hookspec(firstresult=True)
def omnicart_customer_lookup(
    channel: Channel, identifier: str, settings: object
) -> int | Awaitable[int | None] | None:
    """Resolve an identifier given at the till (a loyalty card number) to a customer.

    **Called by** ``core.customers.lookup.resolve_customer`` (from the till,
    ``core.orders.till.pos_checkout``), inside the sale's transaction, before anything
    is written, only for an identifier core does not resolve itself: a customer's
    global ID and an email address are looked up by core and never reach plugins.

    **Arguments**
    - ``channel``: the store channel the sale is made in.
    - ``identifier``: what the till sent as ``customerId``, trimmed (never empty).
    - ``settings``: this plugin's settings in this channel.

    **Returns** the customer's id (an ``int``, the key of ``customers.id``) when the
    identifier is one of this plugin's, None when it is not. May be a coroutine.

    **Combining** first non-None wins, in the channel's plugin order; only the
    channel's enabled plugins are asked. An id of no existing customer, or every
    plugin answering None, is ``CUSTOMER_NOT_FOUND`` for the client (nothing written).
    An answer that is not an ``int`` is a plugin failure.

    **Errors** an exception becomes ``PluginError`` naming the plugin: the sale's
    transaction is rolled back and the client gets code ``PLUGIN_FAILED``.

    **Since** 0.5.
    """
    return None


# --------------------------------------------------------------------------
# Events
# --------------------------------------------------------------------------


@hookspec
def omnicart_event(event: DeliveredEvent, settings: object) -> Awaitable[None] | None:
    """React to a committed domain event (order placed, stock changed, cart changed, ...).

    **Called by** ``core.plugin_host.PluginHost.deliver_event``, from the event
    delivery that runs in every server process (``core.event_hooks.dispatcher``),
    **after commit**, never inside a request: for every published event written to
    the outbox (``core.events.outbox``), at least once, in commit order (see
    ``core.event_hooks.cursors`` for exactly what that means on PostgreSQL). Every
    installed plugin that implements the hook receives every event, whether or not a
    channel enables it: events such as stock changes belong to no channel. A plugin
    gets its events one at a time, from one process at a time.

    **Arguments**
    - ``event``: the event's outbox ``id`` (the same id if it is delivered again),
      ``topic`` ("stock", "cart", "order"), ``type`` (the event class name, such as
      "StockChanged"), ``subject_ids``, ``payload`` (ids and codes only: read what
      you need; never tokens or amounts) and ``created_at``.
    - ``settings``: always None (no channel's settings apply); kept for symmetry
      with the other hooks and for per-channel events later.

    **Returns** None. May be a coroutine; each call must finish within
    ``core.event_hooks.dispatcher.CALL_TIMEOUT_SECONDS`` (30 s) or counts as failed.

    **Combining** every plugin that implements the hook, each on its own: each has its
    own place in the outbox, so one plugin failing holds back only its own events.

    **Errors** an exception is logged and the same event is given again later, with
    growing pauses (1 s, 2 s, 4 s ... up to 5 minutes); events after it wait, to keep
    the order. After ``MAX_ATTEMPTS`` (10) failures the event is recorded as dead for
    that plugin (table ``dead_events``, logged at ERROR) and delivery goes on with the
    next. Never fails a request: the change is committed before any plugin sees it.
    Delivery is at least once: after a crash an event may come again; use ``id`` to
    recognise it.

    **Since** 0.3.
    """
    return None
