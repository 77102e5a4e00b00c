// What the browser keeps between requests: the channel and the cart token in
// localStorage (a reload resumes the cart), the customer's session token in memory only
// (docs/frontend.md: never in localStorage), guest order tokens in localStorage.
const CHANNEL = "omnicart.channel";
const CART = "omnicart.cartToken";
const ORDERS = "omnicart.orderTokens";

type Listener = () => void;
const listeners: Listener[] = [];

export const session = {
  channel: localStorage.getItem(CHANNEL) ?? "web",
  customerToken: null as string | null,
  customerName: null as string | null,

  get cartToken(): string | null {
    return localStorage.getItem(CART);
  },
  setCartToken(token: string | null): void {
    if (token) localStorage.setItem(CART, token);
    else localStorage.removeItem(CART);
  },
  setChannel(slug: string): void {
    this.channel = slug;
    localStorage.setItem(CHANNEL, slug);
    notify();
  },
  setCustomerToken(token: string | null, name: string | null = null): void {
    this.customerToken = token;
    this.customerName = token ? name : null;
    notify();
  },
  /** orderToken by order number, for the orders placed in this browser. */
  orderTokens(): Record<string, string> {
    return JSON.parse(localStorage.getItem(ORDERS) ?? "{}") as Record<string, string>;
  },
  rememberOrder(number: string, token: string): void {
    localStorage.setItem(ORDERS, JSON.stringify({ ...this.orderTokens(), [number]: token }));
  },
  onChange(listener: Listener): void {
    listeners.push(listener);
  },
};

function notify(): void {
  for (const listener of listeners) listener();
}
