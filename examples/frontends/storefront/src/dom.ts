// A tiny element builder: h("p", { class: "x", "data-testid": "y" }, "text", child).
type Attrs = Record<string, string | number | boolean | null | undefined | EventListener>;
type Child = Node | string | number | null | undefined | false;

export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Attrs = {},
  ...children: (Child | Child[])[]
): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === null || value === undefined || value === false) continue;
    if (typeof value === "function") el.addEventListener(name.replace(/^on/, ""), value);
    else if (value === true) el.setAttribute(name, "");
    else el.setAttribute(name, String(value));
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : String(child));
  }
  return el;
}

export function money(m: { amount: string; currency: string } | null | undefined): string {
  // Amounts are exact decimal strings: show them as they are, never through a float.
  return m ? `${m.amount} ${m.currency}` : "not sold here";
}

export function flash(message: string | null, kind: "error" | "info" = "error"): void {
  const el = document.getElementById("flash")!;
  el.hidden = !message;
  el.className = `flash ${kind}`;
  el.textContent = message ?? "";
}

export function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * A product image, or a placeholder with its description where there is none or it does
 * not load (a catalog's image host down, the demo's made-up image addresses offline):
 * the layout stays the same either way.
 */
export function productImage(image: { url: string; alt?: string | null } | null | undefined, name: string, lazy = false): HTMLElement {
  const placeholder = () => h("div", { class: "image missing", role: "img", "aria-label": image?.alt || name, "data-testid": "image-missing" }, image?.alt || name);
  if (!image) return placeholder();
  const img = h("img", { src: image.url, alt: image.alt ?? "", loading: lazy ? "lazy" : undefined });
  const frame = h("div", { class: "image" }, img);
  img.addEventListener("error", () => frame.replaceWith(placeholder()), { once: true });
  return frame;
}
