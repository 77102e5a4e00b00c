// Hash routing: #/ (catalog, ?q= search, ?category= id), #/product/<slug>, #/cart,
// #/checkout, #/order/<number>, #/account. A resume link (docs/carts.md) carries the cart
// token as the whole fragment: <origin>/cart#omct_...; it is stored and opens the cart.
import "./style.css";
import { bootstrap } from "./catalog";
import { cartStore } from "./cart-store";
import { errorText, flash, h } from "./dom";
import { renderAccount } from "./pages/account";
import { renderCart } from "./pages/cart";
import { renderCatalog } from "./pages/catalog";
import { renderCheckout, renderOrder } from "./pages/checkout";
import { renderProduct } from "./pages/product";
import { session } from "./session";

/** What a page returns: called when the user leaves it (ends its subscriptions). */
export type Cleanup = () => void;
let cleanup: Cleanup = () => {};

function takeResumeToken(): void {
  const fragment = location.hash.slice(1);
  if (fragment.startsWith("omct_")) {
    session.setCartToken(fragment);
    history.replaceState(null, "", `${location.pathname.replace(/cart\/?$/, "")}#/cart`);
  }
}

/** The product links of the channel feeds (docs/operations.md, "Feeds"), `<origin>/products/<slug>`,
 * open the product page. */
function takeProductPath(): void {
  const match = /^\/products\/([^/]+)\/?$/.exec(location.pathname);
  if (match && !location.hash) history.replaceState(null, "", `/#/product/${match[1]}`);
}

async function route(): Promise<void> {
  takeResumeToken();
  takeProductPath();
  cleanup();
  cleanup = () => {};
  flash(null);
  const app = document.getElementById("app")!;
  const [path, query = ""] = location.hash.replace(/^#/, "").split("?");
  const params = new URLSearchParams(query);
  const parts = path.split("/").filter(Boolean);
  app.replaceChildren(h("p", { class: "muted" }, "Loading…"));
  try {
    switch (parts[0] ?? "") {
      case "":
        cleanup = await renderCatalog(app, params);
        break;
      case "product":
        cleanup = await renderProduct(app, decodeURIComponent(parts[1] ?? ""));
        break;
      case "cart":
        cleanup = await renderCart(app);
        break;
      case "checkout":
        cleanup = await renderCheckout(app);
        break;
      case "order":
        cleanup = await renderOrder(app, decodeURIComponent(parts[1] ?? ""));
        break;
      case "account":
        cleanup = await renderAccount(app);
        break;
      default:
        app.replaceChildren(h("p", { "data-testid": "not-found" }, "Page not found."));
    }
  } catch (error) {
    app.replaceChildren(h("p", { class: "error", "data-testid": "page-error" }, errorText(error)));
  }
}

async function header(): Promise<void> {
  const select = document.getElementById("channel") as HTMLSelectElement;
  const data = await bootstrap();
  // A customer-facing switcher: the channels a shopper can browse (not the marketplace's).
  const browsable = data.channels.filter((c) => c.kind === "WEB" || c.kind === "MOBILE");
  select.replaceChildren(
    ...browsable.map((c) => h("option", { value: c.slug }, `${c.name} (${c.currency})`)),
  );
  if (!browsable.some((c) => c.slug === session.channel)) session.setChannel(browsable[0].slug);
  select.value = session.channel;
  select.addEventListener("change", () => {
    session.setChannel(select.value);
    void route();
  });
  const search = document.getElementById("search") as HTMLInputElement;
  document.getElementById("search-form")!.addEventListener("submit", (event) => {
    event.preventDefault();
    const q = search.value.trim();
    location.hash = q ? `#/?q=${encodeURIComponent(q)}` : "#/";
  });
  cartStore.subscribe((cart) => {
    document.querySelector('[data-testid="cart-count"]')!.textContent = String(cart?.totalQuantity ?? 0);
  });
}

window.addEventListener("hashchange", () => void route());
takeResumeToken();
header()
  .then(() => cartStore.resume())
  .catch((error: unknown) => flash(errorText(error)))
  .finally(() => void route());
