// Checkout: email, delivery options per group (home delivery or click and collect, stores
// nearest first), the shipping address when something ships, the test gateway, and the
// order confirmation with its status live (orderChanged with the guest orderToken).
import type { Cleanup } from "../main";
import { newKey, request, subscribe } from "../api";
import { cartStore, CartError, type Cart, type UserError } from "../cart-store";
import { cities } from "../catalog";
import { errorText, flash, h, money } from "../dom";
import type { DeliveryGroupFieldsFragment, OrderFieldsFragment } from "../gql/graphql";
import {
  CartEmailUpdateMutation,
  CartSelectedDeliveryOptionsUpdateMutation,
  CartShippingAddressSetMutation,
  CheckoutCompleteMutation,
  DeliveryGroupsQuery,
  OrderByTokenQuery,
  OrderChangedSubscription,
} from "../operations";
import { session } from "../session";

type Group = DeliveryGroupFieldsFragment;
type Near = { lat: number; lon: number } | null;
const ADDRESS_FIELDS = [
  ["firstName", "First name"], ["lastName", "Last name"], ["line1", "Street"],
  ["postalCode", "Postal code"], ["city", "City"], ["countryCode", "Country (ISO code)"],
] as const;

/** "Baltic Linen Dress (Olive / L)"; the SKU when the product is not visible, and a
 * phrase when the variant itself is not (no longer sold in the cart's channel). */
function itemName(variant: Group["lines"][number]["variant"]): string {
  if (!variant) return "an item no longer sold";
  return variant.product ? `${variant.product.name} (${variant.name})` : variant.sku;
}

function errorList(errors: UserError[]): HTMLElement {
  return h("ul", { class: "error", "data-testid": "checkout-errors" },
    errors.map((e) => h("li", { "data-code": e.code, "data-field": (e.field ?? []).join(".") }, `${e.message} (${e.code})`)));
}

export async function renderCheckout(app: HTMLElement): Promise<Cleanup> {
  const cart = cartStore.cart ?? (await cartStore.resume());
  if (!cart || !cart.lines.length) {
    app.replaceChildren(h("p", { "data-testid": "checkout-empty" }, "Your cart is empty. ", h("a", { href: "#/" }, "Browse the catalog"), "."));
    return () => {};
  }
  let near: Near = null;
  let groups: Group[] = [];

  const email = h("input", { type: "email", value: cart.email ?? "", "data-testid": "checkout-email", "aria-label": "Email", required: true });
  const address = Object.fromEntries(
    ADDRESS_FIELDS.map(([name]) => [name, h("input", { value: cart.shippingAddress?.[name] ?? "", "data-testid": `address-${name}`, name })]),
  ) as Record<(typeof ADDRESS_FIELDS)[number][0], HTMLInputElement>;
  const addressSet = h("fieldset", { "data-testid": "shipping-address", hidden: true },
    h("legend", {}, "Shipping address"),
    ADDRESS_FIELDS.map(([name, label]) => h("label", {}, `${label} `, address[name])),
  );
  const groupsEl = h("div", { "data-testid": "delivery-groups" });
  const totals = h("p", { class: "price", "data-testid": "checkout-total" });
  const errors = h("div");
  const pay = h("button", { type: "button", "data-testid": "place-order" }, "Pay with the test gateway");
  // The test gateway's tokens: tok_visa is authorised, "decline" is declined (PAYMENT_DECLINED).
  const card = h("select", { "data-testid": "test-card", "aria-label": "Test card" },
    h("option", { value: "tok_visa" }, "Test card: authorised"), h("option", { value: "decline" }, "Test card: declined"));
  const cityList = await cities();
  const city = h("select", { "data-testid": "checkout-city", "aria-label": "Your city" },
    h("option", { value: "" }, "Stores near…"), cityList.map((c) => h("option", { value: c.city }, c.city)));

  function showGroups(current: Cart): void {
    groupsEl.replaceChildren(
      ...groups.map((g) =>
        h("fieldset", { "data-testid": "delivery-group", "data-group": g.id },
          h("legend", {}, `Delivery for ${g.lines.map((l) => `${l.quantity} × ${itemName(l.variant)}`).join(", ")}`),
          g.deliveryOptions.map((o) => {
            const radio = h("input", {
              type: "radio", name: `group-${g.id}`, value: o.handle,
              checked: g.selectedDeliveryOption?.handle === o.handle,
              "data-testid": `delivery-option-${o.handle}`, "data-method": o.method,
            });
            radio.addEventListener("change", () => choose(g.id, o.handle));
            return h("label", { class: "option" }, radio, ` ${o.title} · ${money(o.cost)}`,
              o.estimatedAt ? h("span", { class: "muted" }, ` · ${new Date(o.estimatedAt).toLocaleDateString()}`) : null,
              o.location && !o.title.includes(o.location.name) ? h("span", { class: "muted" }, ` · ${o.location.name}`) : null);
          }),
        ),
      ),
    );
    const ships = groups.some((g) => g.selectedDeliveryOption?.method === "SHIPPING");
    addressSet.hidden = !ships;
    totals.textContent = `Delivery ${money(current.cost.deliveryAmount)} · Total ${money(current.cost.totalAmount)}`;
  }

  async function load(): Promise<void> {
    const { cart: fresh } = await request(DeliveryGroupsQuery, { token: cart!.token, near });
    if (!fresh) throw new Error("The cart is gone.");
    cartStore.accept(fresh);
    groups = fresh.deliveryGroups;
    showGroups(fresh);
  }

  function choose(groupId: string, handle: string): void {
    const selection = groups
      .filter((g) => g.id !== groupId && g.selectedDeliveryOption)
      .map((g) => ({ deliveryGroupId: g.id, deliveryOptionHandle: g.selectedDeliveryOption!.handle }));
    selection.push({ deliveryGroupId: groupId, deliveryOptionHandle: handle });
    cartStore
      .change((c) =>
        request(CartSelectedDeliveryOptionsUpdateMutation, { token: c.token, options: selection, version: c.version, key: newKey(), near })
          .then((d) => d.cartSelectedDeliveryOptionsUpdate),
      )
      .then(() => load())
      .catch((error: unknown) => {
        flash(errorText(error));
        void load();
      });
  }

  city.addEventListener("change", () => {
    const c = cityList.find((x) => x.city === city.value);
    near = c ? { lat: c.lat, lon: c.lon } : null;
    load().catch((e: unknown) => flash(errorText(e)));
  });

  // "Pay": one idempotency key per press, kept until an answer comes (request() retries
  // a lost answer with it), so a retry never makes a second order.
  pay.addEventListener("click", async () => {
    pay.disabled = true;
    errors.replaceChildren();
    try {
      let current = cartStore.cart!;
      if (email.value.trim() !== (current.email ?? "")) {
        current = await cartStore.change((c) =>
          request(CartEmailUpdateMutation, { token: c.token, email: email.value.trim(), version: c.version, key: newKey() })
            .then((d) => d.cartEmailUpdate));
      }
      if (!addressSet.hidden) {
        const input = Object.fromEntries(ADDRESS_FIELDS.map(([name]) => [name, address[name].value]));
        current = await cartStore.change((c) =>
          request(CartShippingAddressSetMutation, { token: c.token, address: input, version: c.version, key: newKey() })
            .then((d) => d.cartShippingAddressSet));
      }
      const { checkoutComplete: result } = await request(CheckoutCompleteMutation, {
        token: current.token, key: newKey(), version: current.version,
        payment: { provider: "test-gateway", data: { token: card.value } },
      });
      if (result.errors.length || !result.order) {
        errors.replaceChildren(errorList(result.errors));
        return;
      }
      if (result.orderToken) session.rememberOrder(result.order.number, result.orderToken);
      cartStore.forget(); // the cart is COMPLETED: the next add starts a new one
      location.hash = `#/order/${encodeURIComponent(result.order.number)}`;
    } catch (error) {
      if (error instanceof CartError) errors.replaceChildren(errorList(error.errors));
      else flash(errorText(error));
    } finally {
      pay.disabled = false;
    }
  });

  app.replaceChildren(
    h("div", { "data-testid": "checkout-page" },
      h("h1", {}, "Checkout"),
      h("p", {}, h("label", {}, "Email ", email)),
      h("h2", {}, "Delivery"),
      h("p", {}, "Pick up near you: ", city),
      groupsEl,
      addressSet,
      totals,
      errors,
      h("p", {}, card, " ", pay),
    ),
  );
  await load();
  return () => {};
}

function orderView(order: OrderFieldsFragment): HTMLElement {
  return h("section", { "data-testid": "order", "data-number": order.number },
    h("p", {}, "Order ", h("strong", { "data-testid": "order-number" }, order.number), " · status ",
      h("strong", { "data-testid": "order-status" }, order.status), " · payment ",
      h("span", { "data-testid": "order-payment-status" }, order.paymentStatus)),
    h("table", { class: "lines" }, h("tbody", {},
      order.lines.map((l) => h("tr", { "data-testid": "order-line", "data-sku": l.sku },
        h("td", {}, l.name), h("td", {}, `× ${l.quantity}`), h("td", {}, money(l.totalPrice)))))),
    h("ul", {}, order.deliveryGroups.map((g) => h("li", { "data-testid": "order-delivery", "data-method": g.method },
      `${g.title}${g.location && !g.title.includes(g.location.name) ? ` at ${g.location.name}` : ""}${g.estimatedAt ? `, ${new Date(g.estimatedAt).toLocaleDateString()}` : ""}`))),
    order.pickups.map((p) => h("p", { "data-testid": "order-pickup" },
      `Pickup at ${p.location.name}: code ${p.code ?? "—"}${p.readyAt ? `, ready ${new Date(p.readyAt).toLocaleString()}` : ""}`)),
    h("p", { class: "price", "data-testid": "order-total" }, `Total ${money(order.cost.totalAmount)}`),
  );
}

/** The confirmation: the order read by its guest token, then kept live with orderChanged. */
export async function renderOrder(app: HTMLElement, number: string): Promise<Cleanup> {
  const token = session.orderTokens()[number];
  if (!token) {
    app.replaceChildren(h("p", { "data-testid": "order-unknown" }, "This browser holds no order with that number."));
    return () => {};
  }
  const holder = h("div", { "data-testid": "order-confirmation" }, h("h1", {}, "Thank you for your order"));
  const { orderByToken } = await request(OrderByTokenQuery, { token });
  let body = orderByToken ? orderView(orderByToken) : h("p", {}, "The order is not available.");
  holder.append(body);
  app.replaceChildren(holder);
  return subscribe(OrderChangedSubscription, { token }, ({ orderChanged }) => {
    const next = orderView(orderChanged);
    body.replaceWith(next);
    body = next;
  });
}
