"""Typed calls into plugins: the only place that touches pluggy's hook relay.

pluggy never awaits, and on a first-result hook an unawaited coroutine would end
the loop; so the host walks the implementations itself, keeps only those of the
plugins enabled in the channel, awaits each, applies the spec's combining rule and
wraps any exception in ``PluginError`` (see ``core.hooks``). Payment hooks are asked
of one plugin only: the channel's plugin declaring the payment's ``provider``.
"""

from __future__ import annotations

import importlib.metadata
import inspect
import logging
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import pluggy

from core import hooks
from core.carts.model import Cart
from core.channels.model import Channel, EnabledPlugin
from core.delivery.model import (
    CheckoutContext,
    CheckoutProblem,
    DeliveryContext,
    DeliveryOption,
    DeliverySelection,
    FulfilmentPlan,
    SourcedLine,
    SourcingContext,
    UnsourcedLine,
)
from core.errors import DomainError, ErrorCode, PluginError
from core.events.model import DeliveredEvent
from core.hooks import AvailabilityContext, PriceAdjustment, PriceLine, PricingContext
from core.ids import CartLineId, VariantId
from core.money import Money
from core.payments.model import (
    Authorization,
    PaymentContext,
    PaymentRequest,
    PaymentTransaction,
    TransactionKind,
    authorization_mismatch,
    transaction_mismatch,
)
from core.plugin_settings import validate_settings

logger = logging.getLogger(__name__)

ENTRY_POINT_GROUP = "omnicart.plugins"
_EVENT_HOOK = "omnicart_event"


@dataclass(frozen=True, slots=True)
class InstalledPlugin:
    """A plugin the host knows: its name, where it came from and the hooks it implements."""

    name: str
    module: str
    distribution: str | None
    version: str | None
    hooks: tuple[str, ...]
    settings_class: type | None
    # A payment provider's name (``provider`` on the plugin), None for other plugins.
    provider: str | None = None
    # Paid at collection: only pickup-only orders may use it (``requires_pickup``).
    requires_pickup: bool = False


@dataclass(frozen=True, slots=True)
class AppliedAdjustment:
    """A price adjustment labelled with the plugin that made it."""

    line_key: str
    amount_per_unit: Money
    label: str
    plugin: str


@dataclass(frozen=True, slots=True)
class PricedLine:
    line: PriceLine
    unit_price: Money
    adjustments: tuple[AppliedAdjustment, ...] = field(default=())


class PluginHost:
    """Holds the plugin manager and answers typed hook calls for a channel."""

    def __init__(self, manager: pluggy.PluginManager, plugins: Mapping[str, InstalledPlugin]):
        self._manager = manager
        self._plugins = dict(plugins)

    @classmethod
    def load(cls, *, extra: Mapping[str, object] | None = None) -> PluginHost:
        """Discover plugins from the ``omnicart.plugins`` entry points (built-ins included).

        ``extra`` registers more plugins by name, as an embedding application would.
        """
        manager = pluggy.PluginManager(hooks.PROJECT_NAME)
        manager.add_hookspecs(hooks)
        installed: dict[str, InstalledPlugin] = {}
        for entry_point in importlib.metadata.entry_points(group=ENTRY_POINT_GROUP):
            if manager.get_plugin(entry_point.name) is not None:
                continue  # the same distribution seen twice on sys.path
            plugin = entry_point.load()
            distribution = entry_point.dist
            installed[entry_point.name] = cls._register(
                manager,
                entry_point.name,
                plugin,
                distribution.name if distribution else None,
                distribution.version if distribution else None,
            )
        for name, plugin in (extra or {}).items():
            installed[name] = cls._register(manager, name, plugin, None, None)
        cls._check_providers(installed.values())
        # A misspelt hook name fails loudly at start-up rather than silently never running.
        manager.check_pending()
        return cls(manager, installed)

    @staticmethod
    def _register(
        manager: pluggy.PluginManager,
        name: str,
        plugin: object,
        distribution: str | None,
        version: str | None,
    ) -> InstalledPlugin:
        manager.register(plugin, name=name)
        hook_names = tuple(sorted(caller.name for caller in manager.get_hookcallers(plugin) or []))
        module = getattr(plugin, "__name__", None) or type(plugin).__module__
        settings_class = getattr(plugin, "settings_class", None)
        provider = getattr(plugin, "provider", None)
        if provider is not None and (not isinstance(provider, str) or not provider):
            raise TypeError(f"plugin {name!r}: provider must be a non-empty str")
        requires_pickup = getattr(plugin, "requires_pickup", False)
        if not isinstance(requires_pickup, bool):
            raise TypeError(f"plugin {name!r}: requires_pickup must be True or False")
        return InstalledPlugin(
            name,
            module,
            distribution,
            version,
            hook_names,
            settings_class,
            provider=provider,
            requires_pickup=requires_pickup,
        )

    @staticmethod
    def _check_providers(installed: Iterable[InstalledPlugin]) -> None:
        # A provider name picks the one plugin that answers a payment; two plugins claiming
        # it would make that depend on channel order, so it fails at start-up instead.
        owners: dict[str, str] = {}
        for plugin in installed:
            if plugin.provider is None:
                continue
            if plugin.provider in owners:
                raise ValueError(
                    f"plugins {owners[plugin.provider]!r} and {plugin.name!r} both declare "
                    f"the payment provider {plugin.provider!r}"
                )
            owners[plugin.provider] = plugin.name

    @property
    def installed(self) -> Mapping[str, InstalledPlugin]:
        return self._plugins

    def validate(self, name: str, raw: Mapping[str, Any]) -> object:
        """Check that ``name`` is installed and ``raw`` are valid settings for it."""
        plugin = self._plugins.get(name)
        if plugin is None:
            raise DomainError.single(
                ErrorCode.UNKNOWN_PLUGIN, f"No plugin named {name!r} is installed", "plugins"
            )
        return validate_settings(name, plugin.settings_class, raw)

    def prices_lines(self, channel: Channel) -> bool:
        """Whether a plugin enabled in the channel adjusts prices (``price_lines``)."""
        return self._implements("omnicart_price_lines", channel)

    def limits_availability(self, channel: Channel) -> bool:
        """Whether a plugin enabled in the channel may hold units back
        (``available_quantities``)."""
        return self._implements("omnicart_variant_availability", channel)

    def _implements(self, hook_name: str, channel: Channel) -> bool:
        """Whether any plugin enabled in the channel implements the hook."""
        return any(
            hook_name in plugin.hooks
            for enabled in channel.plugins
            if (plugin := self._plugins.get(enabled.name)) is not None
        )

    def _enabled(self, hook_name: str, channel: Channel) -> list[tuple[str, Any, object]]:
        """The implementations of a hook for the channel's enabled plugins, in channel order."""
        if not channel.plugins:
            return []
        caller = getattr(self._manager.hook, hook_name)
        by_plugin = {impl.plugin_name: impl for impl in caller.get_hookimpls()}
        chosen: list[tuple[str, Any, object]] = []
        for enabled in channel.plugins:
            impl = by_plugin.get(enabled.name)
            if impl is not None:
                chosen.append((enabled.name, impl, self._settings(enabled)))
        return chosen

    def _settings(self, enabled: EnabledPlugin) -> object:
        plugin = self._plugins.get(enabled.name)
        if plugin is None:
            return dict(enabled.settings)
        try:
            return validate_settings(enabled.name, plugin.settings_class, enabled.settings)
        except DomainError as error:
            # Settings are validated on write; this is stored data gone stale after an upgrade.
            raise PluginError(enabled.name, "settings", error) from error

    async def _call(self, plugin: str, hook_name: str, impl: Any, kwargs: Mapping[str, Any]) -> Any:
        arguments = {name: kwargs[name] for name in impl.argnames if name in kwargs}
        try:
            result = impl.function(**arguments)
            if inspect.isawaitable(result):
                result = await result
        except Exception as error:  # the plugin boundary: anything a plugin raises
            logger.exception("plugin failed plugin=%s hook=%s", plugin, hook_name)
            raise PluginError(plugin, hook_name, error) from error
        return result

    # ---------------------------------------------------------------- pricing

    async def price_lines(
        self, context: PricingContext, lines: Sequence[PriceLine]
    ) -> list[PricedLine]:
        """Run ``omnicart_price_lines`` for the channel's plugins; one call each per batch."""
        implementations = self._enabled("omnicart_price_lines", context.channel)
        if not implementations or not lines:
            return [PricedLine(line=line, unit_price=line.unit_price) for line in lines]
        keys = {line.key: line for line in lines}
        collected: dict[str, list[AppliedAdjustment]] = {}
        currency = context.channel.currency
        for plugin, impl, settings in implementations:
            kwargs = {"context": context, "lines": lines, "settings": settings}
            result = await self._call(plugin, "omnicart_price_lines", impl, kwargs)
            for adjustment in result or ():
                if not isinstance(adjustment, PriceAdjustment):
                    raise PluginError(
                        plugin, "omnicart_price_lines", TypeError("not an adjustment")
                    )
                if adjustment.line_key not in keys:
                    raise PluginError(plugin, "omnicart_price_lines", KeyError(adjustment.line_key))
                if adjustment.amount_per_unit.currency != currency:
                    raise PluginError(
                        plugin, "omnicart_price_lines", ValueError("adjustment currency")
                    )
                collected.setdefault(adjustment.line_key, []).append(
                    AppliedAdjustment(
                        adjustment.line_key, adjustment.amount_per_unit, adjustment.label, plugin
                    )
                )
        priced: list[PricedLine] = []
        for line in lines:
            applied = tuple(collected.get(line.key, ()))
            unit = line.unit_price
            for adjustment in applied:
                unit = unit + adjustment.amount_per_unit
            if unit.is_negative():
                unit = Money.zero(currency)
            priced.append(PricedLine(line=line, unit_price=unit, adjustments=applied))
        return priced

    # ---------------------------------------------------------------- availability

    async def available_quantities(
        self, context: AvailabilityContext, quantities: Mapping[VariantId, int]
    ) -> dict[VariantId, int]:
        """Run ``omnicart_variant_availability``: each plugin may lower; the minimum wins."""
        hook = "omnicart_variant_availability"
        lowered = {variant_id: max(0, quantity) for variant_id, quantity in quantities.items()}
        implementations = self._enabled(hook, context.channel)
        if not implementations or not quantities:
            return lowered
        for plugin, impl, settings in implementations:
            # Each plugin sees the quantities as summed, not as lowered by the one before,
            # so the answer does not depend on the channel's plugin order.
            kwargs = {"context": context, "quantities": dict(quantities), "settings": settings}
            result = await self._call(plugin, hook, impl, kwargs)
            if result is None:
                continue
            if not isinstance(result, Mapping):
                raise PluginError(plugin, hook, TypeError("not a mapping of quantities"))
            for variant_id, quantity in result.items():
                if variant_id not in lowered:
                    raise PluginError(plugin, hook, KeyError(variant_id))
                if not isinstance(quantity, int) or isinstance(quantity, bool):
                    raise PluginError(plugin, hook, TypeError("quantity is not a whole number"))
                lowered[variant_id] = min(lowered[variant_id], max(0, quantity))
        return lowered

    # ---------------------------------------------------------------- payments

    def payment_providers(self, channel: Channel) -> dict[str, InstalledPlugin]:
        """The payment providers the channel accepts, by provider name, in channel order:
        those of the installed plugins it enables that declare a ``provider``."""
        accepted: dict[str, InstalledPlugin] = {}
        for enabled in channel.plugins:
            plugin = self._plugins.get(enabled.name)
            if plugin is not None and plugin.provider is not None:
                accepted[plugin.provider] = plugin
        return accepted

    async def authorize_payment(
        self, context: PaymentContext, request: PaymentRequest
    ) -> Authorization:
        """Run ``omnicart_payment_authorize`` on the provider's plugin; check its answer."""
        hook = "omnicart_payment_authorize"
        plugin, impl, settings = self._provider_hook(hook, context.channel, request.provider)
        kwargs = {"context": context, "request": request, "settings": settings}
        answer = await self._call(plugin, hook, impl, kwargs)
        if not isinstance(answer, Authorization):
            raise self._payment_failure(plugin, hook, "did not answer with an Authorization")
        mismatch = authorization_mismatch(request, answer)
        if mismatch is not None:
            raise self._payment_failure(plugin, hook, mismatch)
        return answer

    async def capture_payment(
        self, context: PaymentContext, authorization: Authorization, amount: Money
    ) -> PaymentTransaction:
        """Run ``omnicart_payment_capture`` on the provider's plugin; check its answer."""
        return await self._transaction(
            TransactionKind.CAPTURE, "omnicart_payment_capture", context, authorization, amount
        )

    async def void_payment(
        self, context: PaymentContext, authorization: Authorization
    ) -> PaymentTransaction:
        """Run ``omnicart_payment_void`` on the provider's plugin; check its answer."""
        return await self._transaction(
            TransactionKind.VOID, "omnicart_payment_void", context, authorization, None
        )

    async def refund_payment(
        self, context: PaymentContext, authorization: Authorization, amount: Money
    ) -> PaymentTransaction:
        """Run ``omnicart_payment_refund`` on the provider's plugin; check its answer."""
        return await self._transaction(
            TransactionKind.REFUND, "omnicart_payment_refund", context, authorization, amount
        )

    async def _transaction(
        self,
        kind: TransactionKind,
        hook: str,
        context: PaymentContext,
        authorization: Authorization,
        amount: Money | None,
    ) -> PaymentTransaction:
        plugin, impl, settings = self._provider_hook(hook, context.channel, authorization.provider)
        kwargs: dict[str, object] = {
            "context": context,
            "authorization": authorization,
            "settings": settings,
        }
        if amount is not None:
            kwargs["amount"] = amount
        answer = await self._call(plugin, hook, impl, kwargs)
        if not isinstance(answer, PaymentTransaction):
            raise self._payment_failure(plugin, hook, "did not answer with a PaymentTransaction")
        expected = authorization.amount if amount is None else amount
        mismatch = transaction_mismatch(kind, authorization, expected, answer)
        if mismatch is not None:
            raise self._payment_failure(plugin, hook, mismatch)
        return answer

    def _provider_hook(
        self, hook_name: str, channel: Channel, provider: str
    ) -> tuple[str, Any, object]:
        """The implementation of a payment hook by the channel's plugin for ``provider``.

        Raises ``DomainError`` (``PAYMENT_PROVIDER_NOT_ACCEPTED``) when the channel
        enables no plugin for it, and ``PluginError`` when that plugin lacks the hook.
        """
        plugin = self.payment_providers(channel).get(provider)
        if plugin is None:
            raise DomainError.single(
                ErrorCode.PAYMENT_PROVIDER_NOT_ACCEPTED,
                f"The channel does not accept the payment provider {provider!r}",
                "payment.provider",
            )
        for name, impl, settings in self._enabled(hook_name, channel):
            if name == plugin.name:
                return name, impl, settings
        raise self._payment_failure(plugin.name, hook_name, "does not implement the hook")

    @staticmethod
    def _payment_failure(plugin: str, hook_name: str, problem: str) -> PluginError:
        # Never the payment data or amounts in the log: the plugin, the hook and what is wrong.
        logger.warning(
            "payment plugin failed plugin=%s hook=%s problem=%s", plugin, hook_name, problem
        )
        return PluginError(plugin, hook_name, ValueError(problem))

    # ---------------------------------------------------------------- delivery

    async def delivery_options(
        self, channel: Channel, cart: Cart, context: DeliveryContext
    ) -> list[DeliveryOption]:
        """Run ``omnicart_delivery_options`` for one group (``cart`` holds its lines):
        every plugin's options together, in channel order, each labelled with its plugin."""
        hook = "omnicart_delivery_options"
        offered: list[DeliveryOption] = []
        handles: set[str] = set()
        line_ids = {line.id for line in cart.lines}
        for plugin, impl, settings in self._enabled(hook, channel):
            kwargs = {
                "channel": channel,
                "cart": cart,
                "address": cart.shipping_address,
                "context": context,
                "settings": settings,
            }
            result = await self._call(plugin, hook, impl, kwargs)
            for option in result or ():
                if not isinstance(option, DeliveryOption):
                    raise PluginError(plugin, hook, TypeError("not a delivery option"))
                if option.handle in handles or not option.handle:
                    raise PluginError(plugin, hook, ValueError(f"handle {option.handle!r}"))
                if option.cost.currency != channel.currency or option.cost.is_negative():
                    raise PluginError(plugin, hook, ValueError("option cost"))
                if not set(option.line_ids) <= line_ids:
                    raise PluginError(plugin, hook, KeyError("line outside the group"))
                handles.add(option.handle)
                offered.append(replace(option, plugin=plugin))
        return offered

    async def source_lines(
        self,
        channel: Channel,
        cart: Cart,
        selection: DeliverySelection,
        context: SourcingContext,
    ) -> FulfilmentPlan | None:
        """Run ``omnicart_source_lines``: the first plan a plugin gives wins; None when
        no plugin answers (the caller then plans by default)."""
        hook = "omnicart_source_lines"
        quantities = {line.id: line.quantity for line in cart.lines}
        for plugin, impl, settings in self._enabled(hook, channel):
            kwargs = {
                "channel": channel,
                "cart": cart,
                "selection": dict(selection),
                "context": context,
                "settings": settings,
            }
            result = await self._call(plugin, hook, impl, kwargs)
            if result is None:
                continue
            if not isinstance(result, FulfilmentPlan):
                raise PluginError(plugin, hook, TypeError("not a fulfilment plan"))
            planned: dict[CartLineId, int] = {}
            parts: list[SourcedLine | UnsourcedLine] = [*result.lines, *result.unsourced]
            for sourced in parts:
                if sourced.line_id not in quantities or sourced.quantity <= 0:
                    raise PluginError(plugin, hook, KeyError(sourced.line_id))
                planned[sourced.line_id] = planned.get(sourced.line_id, 0) + sourced.quantity
            if any(planned.get(line_id, 0) > quantity for line_id, quantity in quantities.items()):
                raise PluginError(plugin, hook, ValueError("more units than the line has"))
            return result
        return None

    async def checkout_problems(
        self, channel: Channel, cart: Cart, context: CheckoutContext
    ) -> list[CheckoutProblem]:
        """Run ``omnicart_checkout_validate``: every plugin's problems, labelled."""
        hook = "omnicart_checkout_validate"
        found: list[CheckoutProblem] = []
        for plugin, impl, settings in self._enabled(hook, channel):
            kwargs = {"channel": channel, "cart": cart, "context": context, "settings": settings}
            result = await self._call(plugin, hook, impl, kwargs)
            for problem in result or ():
                if not isinstance(problem, CheckoutProblem):
                    raise PluginError(plugin, hook, TypeError("not a checkout problem"))
                found.append(replace(problem, plugin=plugin))
        return found

    # ---------------------------------------------------------------- first answers

    async def first_answer(
        self, hook_name: str, channel: Channel, kwargs: Mapping[str, Any]
    ) -> tuple[str, object] | None:
        """The first non-None result of ``hook_name`` among the channel's enabled
        plugins (in channel order) and the plugin that gave it; None when none answers.
        For typed callers outside this module (``core.orders.marketplace_hooks``,
        ``core.customers.lookup``),
        which check the result's type; an exception is ``PluginError`` (raised from it).
        """
        for plugin, impl, settings in self._enabled(hook_name, channel):
            result = await self._call(plugin, hook_name, impl, {**kwargs, "settings": settings})
            if result is not None:
                return plugin, result
        return None

    # ---------------------------------------------------------------- events

    def event_plugins(self) -> tuple[str, ...]:
        """The installed plugins implementing ``omnicart_event``, by name."""
        return tuple(
            sorted(name for name, plugin in self._plugins.items() if _EVENT_HOOK in plugin.hooks)
        )

    async def deliver_event(self, plugin: str, event: DeliveredEvent) -> None:
        """Run ``plugin``'s ``omnicart_event`` for ``event``; ``PluginError`` if it raises."""
        caller = getattr(self._manager.hook, _EVENT_HOOK)
        for impl in caller.get_hookimpls():
            if impl.plugin_name == plugin:
                await self._call(plugin, _EVENT_HOOK, impl, {"event": event, "settings": None})
                return
        raise PluginError(plugin, _EVENT_HOOK, LookupError("does not implement the hook"))
