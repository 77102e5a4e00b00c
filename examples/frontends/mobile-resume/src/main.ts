// The second device. A resume link (docs/carts.md) carries the cart token as the whole
// fragment, `<origin>/cart#omct_...` (the storefront's link and QR code): the token is
// stored on the phone and dropped from the address bar, the cart is continued in the
// mobile channel at its prices and followed live. A reload resumes the stored token.
import "./style.css";
import { onLive } from "./api";
import { cartStore, type Cart, type State } from "./cart-store";
import { errorText, flash, h, money } from "./dom";
import { tokenIn } from "./session";

function act(promise: Promise<unknown>): void {
  flash(null);
  promise.catch((error: unknown) => flash(errorText(error)));
}

/** Reads the token from the address (a resume link); the fragment never reaches a server. */
function takeLinkToken(): string | null {
  const token = location.hash.startsWith("#omct_") ? tokenIn(location.hash) : null;
  if (location.hash.startsWith("#omct_")) history.replaceState(null, "", location.pathname + location.search);
  return token;
}

/** For a link copied by hand or a QR code read by an app that gives text, not a link. */
function resumeForm(): HTMLElement {
  const input = h("input", {
    type: "text", placeholder: "https://…/cart#omct_…", "aria-label": "Cart link or token",
    autocomplete: "off", "data-testid": "resume-input",
  });
  const form = h("form", { class: "resume", "data-testid": "resume-form" },
    input, h("button", { type: "submit", "data-testid": "resume-submit" }, "Open"));
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const token = tokenIn(input.value);
    if (!token) return flash("That is not a cart link: it should end in #omct_ and 43 letters, digits, - or _.");
    act(cartStore.take(token));
  });
  return form;
}

function lineRow(line: Cart["lines"][number]): HTMLElement {
  const quantity = h("input", {
    type: "number", min: 0, max: 999, value: line.quantity, inputmode: "numeric",
    "aria-label": "Quantity", "data-testid": "cart-line-quantity",
  });
  quantity.addEventListener("change", () => act(cartStore.update(line.id, Number(quantity.value))));
  const button = (testid: string, label: string, text: string, run: () => Promise<void>) =>
    h("button", { type: "button", "aria-label": label, "data-testid": testid, onclick: () => act(run()) }, text);
  const variant = line.variant;
  return h("div", { class: "line", "data-testid": "cart-line", "data-sku": variant?.sku ?? "", "data-line-id": line.id },
    h("div", {},
      h("div", { "data-testid": "cart-line-name" }, variant?.product?.name ?? "(no longer sold)"),
      h("div", { class: "muted" }, variant ? `${variant.name} · ${variant.sku}` : "",
        " · ", h("span", { "data-testid": "cart-line-unit-price" }, money(line.cost?.amountPerQuantity)), " each"),
    ),
    h("div", { class: "price", "data-testid": "cart-line-total" }, money(line.cost?.totalAmount)),
    h("div", { class: "stepper" },
      button("cart-line-decrease", "One less", "−", () => cartStore.step(line.id, -1)),
      quantity,
      button("cart-line-increase", "One more", "+", () => cartStore.step(line.id, 1)),
    ),
    button("cart-line-remove", "Remove", "Remove", () => cartStore.remove(line.id)),
  );
}

function cartView(cart: Cart): HTMLElement[] {
  const parts: (HTMLElement | null)[] = [
    h("h1", {}, "Your cart"),
    h("p", { class: "muted" },
      h("span", { "data-testid": "cart-count" }, cart.totalQuantity),
      cart.totalQuantity === 1 ? " item · channel " : " items · channel ",
      h("span", { "data-testid": "cart-channel" }, cart.channel.slug), " · version ",
      h("span", { "data-testid": "cart-version" }, cart.version)),
    cart.lines.length
      ? h("div", { "data-testid": "cart-lines" }, cart.lines.map(lineRow))
      : h("p", { "data-testid": "cart-empty" }, "This cart is empty. Add something on the other device and it shows here."),
    cart.problems.length
      ? h("ul", { class: "error", "data-testid": "cart-problems" },
          cart.problems.map((p) => h("li", { "data-code": p.code, "data-line-id": p.lineId ?? "" }, p.message)))
      : null,
    h("dl", { class: "totals" },
      h("dt", {}, "Subtotal"), h("dd", { "data-testid": "cart-subtotal" }, money(cart.cost.subtotalAmount)),
      cart.cost.adjustments.flatMap((a) => [h("dt", {}, a.label), h("dd", {}, money(a.amount))]),
      h("dt", {}, "Total"), h("dd", { class: "price", "data-testid": "cart-total" }, money(cart.cost.totalAmount)),
    ),
    h("p", {}, h("button", { type: "button", "data-testid": "forget-cart", onclick: () => cartStore.forget() },
      "Forget this cart on this phone")),
  ];
  return parts.filter((x): x is HTMLElement => x !== null);
}

function view(state: State): HTMLElement[] {
  switch (state.kind) {
    case "loading":
      return [h("p", { class: "muted", "data-testid": "cart-loading" }, "Opening your cart…")];
    case "none":
      return [
        h("h1", {}, "Continue your cart"),
        h("p", { "data-testid": "no-cart" }, "Scan the QR code on the cart page of the shop, or paste its link:"),
        resumeForm(),
      ];
    case "gone":
      return [
        h("h1", {}, "Continue your cart"),
        h("p", { "data-testid": "cart-gone" }, "This cart is no longer available (checked out, expired or merged). Open another link:"),
        resumeForm(),
      ];
    case "cart":
      return cartView(state.cart);
  }
}

const app = document.getElementById("app")!;
cartStore.subscribe((state) => app.replaceChildren(...view(state)));
onLive((state) => {
  const badge = document.querySelector<HTMLElement>('[data-testid="live-status"]')!;
  badge.dataset.state = state;
  badge.textContent = state === "connected" ? "live" : state === "connecting" ? "connecting…" : "offline";
});

function start(): void {
  const token = takeLinkToken();
  act(token ? cartStore.take(token) : cartStore.open());
}
// A second link opened in the same tab (only the fragment changed).
window.addEventListener("hashchange", () => {
  if (location.hash.startsWith("#omct_")) start();
});
start();
