// The cart this browser holds: its token in localStorage (a reload resumes it), the
// latest copy (from mutations and the cartChanged subscription, the newest version
// wins), and every change sent with expectedVersion and an idempotencyKey.
import { request, subscribe } from "./api";
import type { CartFieldsFragment } from "./gql/graphql";
import {
  CartCreateMutation,
  CartLinesAddMutation,
  CartLinesRemoveMutation,
  CartLinesUpdateMutation,
  CartQuery,
  CartResumeMutation,
  CartSubscription,
} from "./operations";
import { newKey } from "./api";
import { session } from "./session";

export type Cart = CartFieldsFragment;
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

type Listener = (cart: Cart | null) => void;
const listeners = new Set<Listener>();
let current: Cart | null = null;
let unsubscribe: (() => void) | null = null;
let listening: string | null = null;

function accept(cart: Cart | null | undefined): void {
  if (!cart) return;
  // Versions order one cart's copies; a cart with another token (a login merge) replaces it.
  if (current && current.token === cart.token && cart.version < current.version) return;
  current = cart;
  if (cart.token !== session.cartToken) session.setCartToken(cart.token);
  listen(cart.token);
  for (const listener of listeners) listener(current);
}

/** One cartChanged subscription, for the token held now (a login merge may change it). */
function listen(token: string): void {
  if (unsubscribe && listening === token) return;
  unsubscribe?.();
  listening = token;
  unsubscribe = subscribe(CartSubscription, { token }, (data) => accept(data.cartChanged), (message) => {
    console.warn(`cartChanged: ${message}`);
    unsubscribe = null;
    listening = null;
  });
}

function forget(): void {
  unsubscribe?.();
  unsubscribe = null;
  listening = null;
  current = null;
  session.setCartToken(null);
  for (const listener of listeners) listener(null);
}

const MAX_REBASES = 3;

/**
 * Sends a change made against `version`; on CART_VERSION_CONFLICT takes the current cart
 * from the payload and asks `intent` again (it may decide the change no longer applies
 * and return null), with a fresh key: a rebased change is another change.
 */
async function change(intent: (cart: Cart) => Promise<Payload> | null): Promise<Cart> {
  let cart = current ?? (await cartStore.resume());
  if (!cart) throw new Error("There is no cart.");
  for (let attempt = 0; ; attempt++) {
    const pending = intent(cart);
    if (!pending) return cart;
    const payload = await pending;
    accept(payload.cart);
    const conflict = payload.errors.some((e) => e.code === "CART_VERSION_CONFLICT");
    if (conflict && payload.cart && attempt < MAX_REBASES) {
      cart = payload.cart;
      continue;
    }
    if (payload.errors.length) throw new CartError(payload.errors);
    return payload.cart!;
  }
}

export const cartStore = {
  get cart(): Cart | null {
    return current;
  },

  subscribe(listener: Listener): () => void {
    listeners.add(listener);
    listener(current);
    return () => listeners.delete(listener);
  },

  /** Reads the stored token's cart; an expired, completed or foreign one is forgotten. */
  async resume(): Promise<Cart | null> {
    const token = session.cartToken;
    if (!token) return null;
    try {
      const { cart } = await request(CartQuery, { token });
      if (!cart || cart.status !== "ACTIVE") {
        forget();
        return null;
      }
      accept(cart);
      return cart;
    } catch {
      forget(); // a malformed token (INVALID_CART_TOKEN)
      return null;
    }
  },

  /** Adds a variant, creating the cart in the current channel first when there is none. */
  async add(variantId: string, quantity: number): Promise<Cart> {
    const lines = [{ variantId, quantity }];
    if (!current && !(await this.resume())) {
      const { cartCreate } = await request(CartCreateMutation, { channel: session.channel, lines, key: newKey() });
      if (cartCreate.errors.length) throw new CartError(cartCreate.errors);
      accept(cartCreate.cart);
      return cartCreate.cart!;
    }
    return change((cart) =>
      request(CartLinesAddMutation, { token: cart.token, lines, version: cart.version, key: newKey() }).then(
        (d) => d.cartLinesAdd,
      ),
    );
  },

  /** Sets a line's quantity (0 removes it); nothing to do once the line is gone. */
  update(lineId: string, quantity: number): Promise<Cart> {
    return change((cart) =>
      cart.lines.some((l) => l.id === lineId)
        ? request(CartLinesUpdateMutation, {
            token: cart.token,
            lines: [{ lineId, quantity }],
            version: cart.version,
            key: newKey(),
          }).then((d) => d.cartLinesUpdate)
        : null,
    );
  },

  remove(lineId: string): Promise<Cart> {
    return change((cart) =>
      cart.lines.some((l) => l.id === lineId)
        ? request(CartLinesRemoveMutation, {
            token: cart.token,
            lineIds: [lineId],
            version: cart.version,
            key: newKey(),
          }).then((d) => d.cartLinesRemove)
        : null,
    );
  },

  /** Continues the cart in another channel (re-priced there; unavailable lines stay, as problems). */
  resumeIn(channel: string): Promise<Cart> {
    return change((cart) =>
      cart.channel.slug === channel
        ? null
        : request(CartResumeMutation, { token: cart.token, channel, version: cart.version, key: newKey() }).then(
            (d) => d.cartResume,
          ),
    );
  },

  /** After checkout the cart is COMPLETED: start afresh. */
  forget,
  accept,
  change,
};
