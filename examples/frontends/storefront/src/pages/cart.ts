// The cart: lines with quantities, totals, problems, live sync with other devices
// (cartChanged, through cartStore) and a resume link + QR code for a phone.
import qrcode from "qrcode-generator";
import type { Cleanup } from "../main";
import { cartStore, type Cart } from "../cart-store";
import { errorText, flash, h, money } from "../dom";
import { session } from "../session";

// Where the second device opens the cart: the mobile-resume starter, which
// `omnicart serve --demo` serves at /mobile/ (the dev server proxies it there too). A
// build for another address sets VITE_MOBILE_URL (e.g. https://m.shop.example/).
const MOBILE_URL: string = import.meta.env.VITE_MOBILE_URL ?? `${location.origin}/mobile/`;

/** The link format of docs/carts.md: the token in the fragment, never sent to a server. */
export function resumeLink(token: string): string {
  return new URL(`cart#${token}`, MOBILE_URL.endsWith("/") ? MOBILE_URL : `${MOBILE_URL}/`).href;
}

function qrSvg(text: string): HTMLElement {
  const qr = qrcode(0, "M");
  qr.addData(text);
  qr.make();
  const holder = h("div", { class: "qr", "data-testid": "cart-qr" });
  holder.innerHTML = qr.createSvgTag({ cellSize: 4, margin: 2, scalable: true });
  return holder;
}

function act(promise: Promise<unknown>): void {
  promise.catch((error: unknown) => flash(errorText(error)));
}

function lineRow(line: Cart["lines"][number]): HTMLElement {
  const quantity = h("input", {
    type: "number", min: 0, max: 999, value: line.quantity,
    "data-testid": "cart-line-quantity", "aria-label": "Quantity",
  });
  quantity.addEventListener("change", () => act(cartStore.update(line.id, Number(quantity.value))));
  const remove = h("button", { type: "button", "data-testid": "cart-line-remove" }, "Remove");
  remove.addEventListener("click", () => act(cartStore.remove(line.id)));
  const variant = line.variant;
  return h(
    "tr",
    { "data-testid": "cart-line", "data-sku": variant?.sku ?? "", "data-line-id": line.id },
    h("td", {},
      variant?.product ? h("a", { href: `#/product/${encodeURIComponent(variant.product.slug)}` }, variant.product.name) : "(no longer sold)",
      h("div", { class: "muted" }, variant ? `${variant.name} · ${variant.sku}` : ""),
    ),
    h("td", {}, quantity),
    h("td", { "data-testid": "cart-line-unit-price" }, money(line.cost?.amountPerQuantity)),
    h("td", { "data-testid": "cart-line-total" }, money(line.cost?.totalAmount)),
    h("td", {}, remove),
  );
}

/** The cart lives in one channel; browsing another, offer to continue it there. */
function resumeHere(cart: Cart): HTMLElement {
  const button = h("button", { type: "button", "data-testid": "cart-resume-here" }, `Continue this cart in ${session.channel}`);
  button.addEventListener("click", () => act(cartStore.resumeIn(session.channel)));
  return h("p", { class: "notice" }, `This cart is priced in ${cart.channel.slug}. `, button);
}

function view(cart: Cart | null): (HTMLElement | null)[] {
  if (!cart || cart.lines.length === 0) {
    return [h("h1", {}, "Your cart"), h("p", { "data-testid": "cart-empty" }, "Your cart is empty. ", h("a", { href: "#/" }, "Browse the catalog"), ".")];
  }
  const link = resumeLink(cart.token);
  return [
    h("h1", {}, "Your cart"),
    h("p", { class: "muted" }, "Channel ", h("span", { "data-testid": "cart-channel" }, cart.channel.slug),
      " · version ", h("span", { "data-testid": "cart-version" }, cart.version)),
    cart.channel.slug !== session.channel ? resumeHere(cart) : null,
    h("table", { class: "lines", "data-testid": "cart-lines" },
      h("thead", {}, h("tr", {}, h("th", {}, "Item"), h("th", {}, "Qty"), h("th", {}, "Each"), h("th", {}, "Total"), h("th", {}))),
      h("tbody", {}, cart.lines.map(lineRow)),
    ),
    cart.problems.length
      ? h("ul", { class: "error", "data-testid": "cart-problems" }, cart.problems.map((p) => h("li", { "data-code": p.code }, p.message)))
      : null,
    h("dl", { class: "totals" },
      h("dt", {}, "Subtotal"), h("dd", { "data-testid": "cart-subtotal" }, money(cart.cost.subtotalAmount)),
      cart.cost.adjustments.flatMap((a) => [h("dt", {}, a.label), h("dd", {}, money(a.amount))]),
      h("dt", {}, "Total"), h("dd", { class: "price", "data-testid": "cart-total" }, money(cart.cost.totalAmount)),
    ),
    h("p", {}, h("a", { href: "#/checkout", class: "button", "data-testid": "checkout-link" }, "Check out")),
    h("section", { class: "resume" },
      h("h2", {}, "Continue on your phone"),
      h("p", {}, h("a", { href: link, "data-testid": "cart-resume-link" }, "Open this cart on another device")),
      qrSvg(link),
      h("p", { class: "muted" }, "Anyone with this link can change the cart: share it only with yourself."),
    ),
  ];
}

export async function renderCart(app: HTMLElement): Promise<Cleanup> {
  const page = h("div", { "data-testid": "cart-page" });
  app.replaceChildren(page);
  if (!cartStore.cart) await cartStore.resume();
  // Re-rendered on every newer version: our changes and other devices' (cartChanged).
  return cartStore.subscribe((cart) => page.replaceChildren(...view(cart).filter((x): x is HTMLElement => x !== null)));
}
