// The cart on this phone: its token in localStorage (a reload resumes it), the latest copy
// (from our mutations and from cartChanged, the newest version wins), and every change
// sent with expectedVersion and a fresh idempotencyKey, rebased on CART_VERSION_CONFLICT.
import { newKey, request, subscribe } from "./api";
import type { MobileCartFieldsFragment } from "./gql/graphql";
import {
  CartLinesRemoveMutation,
  CartLinesUpdateMutation,
  CartQuery,
  CartResumeMutation,
  CartSubscription,
} from "./operations";
import { CHANNEL, session } from "./session";

export type Cart = MobileCartFieldsFragment;
export interface UserError {
  field?: string[] | null;
  code: string;
  message: string;
}
interface Payload {
  cart?: Cart | null;
  errors: UserError[];
}

/** A change refused with UserErrors other than a version conflict. */
export class CartError extends Error {
  constructor(readonly errors: UserError[]) {
    super(errors.map((e) => e.message).join("; "));
  }
}

/** What the page shows: the cart, or why there is none. */
export type State =
  | { kind: "none" } // no token on this phone
  | { kind: "loading" }
  | { kind: "gone" } // the token's cart is unknown, expired, completed or merged
  | { kind: "cart"; cart: Cart };

type Listener = (state: State) => void;
const listeners = new Set<Listener>();
let state: State = session.cartToken ? { kind: "loading" } : { kind: "none" };
let unsubscribe: (() => void) | null = null;

function publish(next: State): void {
  state = next;
  for (const listener of listeners) listener(state);
}

function current(): Cart | null {
  return state.kind === "cart" ? state.cart : null;
}

/** Takes a copy of the cart unless an older one arrived late (versions order one cart's copies). */
function accept(cart: Cart | null | undefined): void {
  // A late copy of a cart this phone has since left (another link was opened) is dropped.
  if (!cart || cart.token !== session.cartToken) return;
  const held = current();
  if (held && held.token === cart.token && cart.version < held.version) return;
  if (cart.status !== "ACTIVE") return stop({ kind: "gone" });
  publish({ kind: "cart", cart });
}

function stop(next: State): void {
  unsubscribe?.();
  unsubscribe = null;
  publish(next);
}

/** cartChanged: first the cart as it is, then every device's change, ours included. */
function listen(token: string): void {
  unsubscribe?.();
  unsubscribe = subscribe(CartSubscription, { token }, (data) => accept(data.cartChanged), (message) => {
    // The cart was deleted (CART_NOT_FOUND) or the token is refused.
    console.warn(`cartChanged: ${message}`);
    unsubscribe = null;
    if (state.kind === "cart" && state.cart.token === token) publish({ kind: "gone" });
  });
}

const MAX_REBASES = 3;

/**
 * Sends a change made against the cart's version; on CART_VERSION_CONFLICT takes the
 * current cart from the payload and asks `intent` again (it returns null when the change
 * no longer applies, e.g. the line was removed on the other device), with a fresh key:
 * a rebased change is another change.
 */
async function change(intent: (cart: Cart) => Promise<Payload> | null): Promise<void> {
  let cart = current();
  if (!cart) throw new Error("There is no cart on this phone.");
  for (let attempt = 0; ; attempt++) {
    const pending = intent(cart);
    if (!pending) return;
    const payload = await pending;
    accept(payload.cart);
    const conflict = payload.errors.some((e) => e.code === "CART_VERSION_CONFLICT");
    if (conflict && payload.cart && attempt < MAX_REBASES) {
      cart = payload.cart;
      continue;
    }
    if (payload.errors.length) throw new CartError(payload.errors);
    return;
  }
}

const hasLine = (cart: Cart, lineId: string) => cart.lines.some((l) => l.id === lineId);

/** cartLinesUpdate of one line, its new quantity worked out from the cart as it is (again after a conflict). */
function setQuantity(lineId: string, next: (now: number) => number): Promise<void> {
  return change((cart) => {
    const line = cart.lines.find((l) => l.id === lineId);
    if (!line) return null;
    return request(CartLinesUpdateMutation, {
      token: cart.token,
      lines: [{ lineId, quantity: next(line.quantity) }],
      version: cart.version,
      key: newKey(),
    }).then((d) => d.cartLinesUpdate);
  });
}

export const cartStore = {
  get state(): State {
    return state;
  },

  subscribe(listener: Listener): () => void {
    listeners.add(listener);
    listener(state);
    return () => listeners.delete(listener);
  },

  /**
   * Opens the stored token's cart and continues it in the mobile channel (re-priced at
   * its prices; lines it cannot sell stay, as problems), then follows it live.
   */
  async open(): Promise<void> {
    const token = session.cartToken;
    if (!token) return stop({ kind: "none" });
    publish({ kind: "loading" });
    let cart: Cart | null | undefined;
    try {
      cart = (await request(CartQuery, { token })).cart;
    } catch (error) {
      stop({ kind: "gone" }); // a malformed token (INVALID_CART_TOKEN)
      throw error;
    }
    if (!cart || cart.status !== "ACTIVE") return stop({ kind: "gone" });
    publish({ kind: "cart", cart });
    listen(token);
    await change((c) =>
      c.channel.slug === CHANNEL
        ? null
        : request(CartResumeMutation, { token: c.token, channel: CHANNEL, version: c.version, key: newKey() }).then(
            (d) => d.cartResume,
          ),
    );
  },

  /** Stores a token from a resume link, a pasted link or a bare token, and opens its cart. */
  async take(token: string): Promise<void> {
    if (token !== session.cartToken) {
      stop({ kind: "loading" });
      session.setCartToken(token);
    }
    await this.open();
  },

  /** Forgets the cart on this phone (the cart itself stays, for the other device). */
  forget(): void {
    session.setCartToken(null);
    stop({ kind: "none" });
  },

  /** Sets a line's quantity (0 removes it); nothing to do once the line is gone. */
  update(lineId: string, quantity: number): Promise<void> {
    return setQuantity(lineId, () => quantity);
  },

  /** Adds `delta` to the quantity the line has now (re-read on a conflict, so both devices' changes count). */
  step(lineId: string, delta: number): Promise<void> {
    return setQuantity(lineId, (now) => Math.max(0, now + delta));
  },

  remove(lineId: string): Promise<void> {
    return change((cart) =>
      hasLine(cart, lineId)
        ? request(CartLinesRemoveMutation, {
            token: cart.token,
            lineIds: [lineId],
            version: cart.version,
            key: newKey(),
          }).then((d) => d.cartLinesRemove)
        : null,
    );
  },
};
