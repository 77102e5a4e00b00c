// A product page: variants, price, live availability (availabilityChanged), add to cart
// and "pick up near me" (storeAvailability near the browser's position or a store city).
import type { Cleanup } from "../main";
import { request, subscribe } from "../api";
import { cartStore } from "../cart-store";
import { cities } from "../catalog";
import { errorText, flash, h, money, productImage } from "../dom";
import type { ProductQuery as ProductResult, StoreAvailabilityQuery as StoreResult } from "../gql/graphql";
import { AvailabilitySubscription, ProductQuery, StoreAvailabilityQuery } from "../operations";
import { session } from "../session";

type Variant = NonNullable<ProductResult["product"]>["variants"][number];
type Availability = Variant["availability"];
type StoreEdge = NonNullable<StoreResult["product"]>["variants"][number]["storeAvailability"]["edges"][number];

const STATUS_TEXT: Record<string, string> = {
  IN_STOCK: "In stock",
  LOW_STOCK: "Low stock",
  OUT_OF_STOCK: "Out of stock",
};

function availabilityText(a: Availability): string {
  const text = STATUS_TEXT[a.status] ?? a.status;
  return a.quantity === null || a.quantity === undefined ? text : `${text} (${a.quantity})`;
}

function variantLabel(v: Variant): string {
  return v.options.length ? v.options.map((o) => o.value).join(" / ") : v.name || v.sku;
}

export async function renderProduct(app: HTMLElement, slug: string): Promise<Cleanup> {
  const { product } = await request(ProductQuery, { slug, channel: session.channel });
  if (!product) {
    app.replaceChildren(h("p", { "data-testid": "product-not-found" }, "This product is not sold in this channel."));
    return () => {};
  }
  const availability = new Map<string, Availability>(product.variants.map((v) => [v.id, v.availability]));
  let selected = product.variants.find((v) => v.availability.status !== "OUT_OF_STOCK") ?? product.variants[0];

  const select = h(
    "select",
    { "data-testid": "variant-select", "aria-label": "Variant" },
    product.variants.map((v) => h("option", { value: v.id, "data-sku": v.sku }, `${variantLabel(v)} · ${v.sku}`)),
  );
  select.value = selected.id;
  const price = h("p", { class: "price", "data-testid": "variant-price" });
  const stock = h("p", { "data-testid": "availability" });
  const sku = h("p", { class: "muted", "data-testid": "variant-sku" });
  const quantity = h("input", { type: "number", min: 1, max: 999, value: 1, "data-testid": "quantity", "aria-label": "Quantity" });
  const add = h("button", { type: "button", "data-testid": "add-to-cart" }, "Add to cart");
  const added = h("p", { class: "muted", "data-testid": "add-result" });

  function show(): void {
    const a = availability.get(selected.id)!;
    price.textContent = money(selected.price);
    sku.textContent = `SKU ${selected.sku}`;
    stock.textContent = availabilityText(a);
    stock.dataset.status = a.status;
    stock.className = `stock ${a.status.toLowerCase()}`;
    add.disabled = !selected.price || a.status === "OUT_OF_STOCK";
  }
  select.addEventListener("change", () => {
    selected = product.variants.find((v) => v.id === select.value)!;
    show();
  });
  add.addEventListener("click", async () => {
    add.disabled = true;
    try {
      const cart = await cartStore.add(selected.id, Number(quantity.value) || 1);
      added.replaceChildren(`Added. ${cart.totalQuantity} in your `, h("a", { href: "#/cart" }, "cart"), ".");
    } catch (error) {
      flash(errorText(error));
    } finally {
      show();
    }
  });

  // Pick up near me: the browser's position, or a city that has a store.
  const cityList = await cities();
  const city = h(
    "select",
    { "data-testid": "pickup-city", "aria-label": "City" },
    h("option", { value: "" }, "Choose a city…"),
    cityList.map((c) => h("option", { value: c.city }, c.city)),
  );
  const locate = h("button", { type: "button", "data-testid": "pickup-locate" }, "Use my location");
  const stores = h("ul", { class: "stores", "data-testid": "store-availability" });
  async function near(lat: number, lon: number): Promise<void> {
    stores.replaceChildren(h("li", { class: "muted" }, "Looking…"));
    const data = await request(StoreAvailabilityQuery, { slug, channel: session.channel, near: { lat, lon } });
    const edges: StoreEdge[] = data.product?.variants.find((v) => v.id === selected.id)?.storeAvailability.edges ?? [];
    stores.replaceChildren(
      ...(edges.length
        ? edges.map(({ node }) =>
            h(
              "li",
              { "data-testid": "store-row", "data-location": node.location.slug },
              h("strong", {}, node.location.name),
              node.distanceKm === null || node.distanceKm === undefined ? "" : ` · ${node.distanceKm.toFixed(1)} km`,
              node.quantity === null || node.quantity === undefined ? "" : ` · ${node.quantity} available`,
              node.pickupReadyAt ? ` · ready ${new Date(node.pickupReadyAt).toLocaleString()}` : " · not available for pickup",
            ),
          )
        : [h("li", { class: "muted" }, "No store near you has it.")]),
    );
  }
  city.addEventListener("change", () => {
    const c = cityList.find((x) => x.city === city.value);
    if (c) near(c.lat, c.lon).catch((e: unknown) => flash(errorText(e)));
  });
  locate.addEventListener("click", () => {
    navigator.geolocation.getCurrentPosition(
      (p) => void near(p.coords.latitude, p.coords.longitude).catch((e: unknown) => flash(errorText(e))),
      () => flash("Your position is not available: choose a city.", "info"),
    );
  });

  const image = product.images[0];
  app.replaceChildren(
    h("article", { class: "product", "data-testid": "product-page", "data-slug": product.slug },
      productImage(image, product.name),
      h("div", {},
        h("p", { class: "muted" }, product.category ? h("a", { href: `#/?category=${encodeURIComponent(product.category.id)}`, "data-testid": "product-category" }, product.category.name) : null),
        h("h1", { "data-testid": "product-title" }, product.name),
        h("p", {}, product.description),
        h("label", {}, "Variant ", select),
        sku, price, stock,
        h("p", {}, h("label", {}, "Quantity ", quantity), " ", add),
        added,
        h("section", { class: "pickup" },
          h("h2", {}, "Pick up near me"),
          h("p", {}, locate, " or ", city),
          stores,
        ),
      ),
    ),
  );
  show();

  // Live availability: the first messages are the current values, then every change.
  const stop = subscribe(
    AvailabilitySubscription,
    { variantIds: product.variants.map((v) => v.id), channel: session.channel },
    ({ availabilityChanged }) => {
      availability.set(availabilityChanged.variantId, availabilityChanged.availability);
      show();
    },
  );
  return stop;
}
