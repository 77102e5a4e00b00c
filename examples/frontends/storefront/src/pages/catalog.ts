// The catalog of the current channel: category tree, search, product grid, "load more".
import type { Cleanup } from "../main";
import { request } from "../api";
import { bootstrap } from "../catalog";
import { h, money, productImage } from "../dom";
import type { ProductsQuery as ProductsResult } from "../gql/graphql";
import { ProductsQuery } from "../operations";
import { session } from "../session";

const PAGE = 24;
interface TreeNode {
  id: string;
  slug: string;
  name: string;
  children?: TreeNode[];
}
type ProductNode = ProductsResult["products"]["edges"][number]["node"];

function categoryTree(categories: TreeNode[], active: string | null): HTMLUListElement {
  return h(
    "ul",
    {},
    categories.map((c) =>
      h(
        "li",
        {},
        h(
          "a",
          {
            href: `#/?category=${encodeURIComponent(c.id)}`,
            class: c.id === active ? "active" : null,
            "data-testid": `category-${c.slug}`,
          },
          c.name,
        ),
        c.children?.length ? categoryTree(c.children, active) : null,
      ),
    ),
  );
}

function priceFrom(variants: ProductNode["variants"]): string {
  const prices = variants.flatMap((v) => (v.price ? [v.price] : []));
  if (!prices.length) return "not sold here";
  // Ordering only: amounts are decimal strings, shown as they come.
  prices.sort((a, b) => Number(a.amount) - Number(b.amount));
  return prices.length > 1 && prices[0].amount !== prices[prices.length - 1].amount
    ? `from ${money(prices[0])}`
    : money(prices[0]);
}

function card(p: ProductNode): HTMLElement {
  const image = p.images[0];
  return h(
    "a",
    { class: "card", href: `#/product/${encodeURIComponent(p.slug)}`, "data-testid": "product-card", "data-slug": p.slug },
    productImage(image, p.name, true),
    h("h3", { "data-testid": "product-name" }, p.name),
    h("p", { class: "price", "data-testid": "product-price" }, priceFrom(p.variants)),
    p.inStock ? null : h("p", { class: "muted" }, "Out of stock"),
  );
}

export async function renderCatalog(app: HTMLElement, params: URLSearchParams): Promise<Cleanup> {
  const search = params.get("q") ?? "";
  const category = params.get("category");
  (document.getElementById("search") as HTMLInputElement).value = search;
  const data = await bootstrap();
  const grid = h("div", { class: "grid", "data-testid": "product-grid" });
  const status = h("p", { class: "muted", "data-testid": "catalog-status" });
  const more = h("button", { type: "button", "data-testid": "load-more", hidden: true }, "Load more");
  app.replaceChildren(
    h("div", { class: "catalog" },
      h("nav", { "data-testid": "category-tree" },
        h("strong", {}, "Categories"),
        h("ul", {}, h("li", {}, h("a", { href: "#/", class: category ? null : "active", "data-testid": "category-all" }, "All products"))),
        categoryTree(data.categories, category),
      ),
      h("section", {}, status, grid, more),
    ),
  );

  let after: string | null = null;
  let live = true;
  async function page(): Promise<void> {
    more.hidden = true;
    const result = await request(ProductsQuery, {
      channel: session.channel,
      first: PAGE,
      after,
      filter: { search: search || null, category },
    });
    if (!live) return;
    const { edges, pageInfo, totalCount } = result.products;
    grid.append(...edges.map((e) => card(e.node)));
    status.textContent = search
      ? `${totalCount} result${totalCount === 1 ? "" : "s"} for “${search}”`
      : `${totalCount} product${totalCount === 1 ? "" : "s"}`;
    after = pageInfo.endCursor ?? null;
    more.hidden = !pageInfo.hasNextPage;
  }
  more.addEventListener("click", () => void page());
  await page();
  return () => {
    live = false;
  };
}
