// What the phone keeps: the cart token, in localStorage so a reload resumes the cart.
// Its own key, so that on the storefront's origin it never replaces the storefront's cart.
const CART = "omnicart.mobile.cartToken";

/** The channel this page sells in: the cart is resumed here, re-priced at its prices. */
export const CHANNEL = "mobile";

/** A cart token (docs/carts.md): `omct_` and 43 URL-safe characters. */
const TOKEN = /omct_[A-Za-z0-9_-]{43}/;

export const session = {
  get cartToken(): string | null {
    return localStorage.getItem(CART);
  },
  setCartToken(token: string | null): void {
    if (token) localStorage.setItem(CART, token);
    else localStorage.removeItem(CART);
  },
};

/** The token in a resume link (`<origin>/cart#omct_...`), a pasted link or a bare token. */
export function tokenIn(text: string): string | null {
  return TOKEN.exec(text)?.[0] ?? null;
}
