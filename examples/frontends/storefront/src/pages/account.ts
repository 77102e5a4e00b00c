// Login and "my orders". The session token lives in memory only (docs/frontend.md), so a
// reload logs out. The list is live: myOrdersChanged (subscribed first, then me { orders }
// read) replaces a row when its order changes and prepends the orders placed meanwhile,
// in any channel (the web, the app, a store's till). The WebSocket carries the session
// token in its connectionParams (api.ts). The subscription ends when the session does.
import type { Cleanup } from "../main";
import { ApiError, onReconnected, request, subscribe } from "../api";
import { cartStore } from "../cart-store";
import { errorText, flash, h } from "../dom";
import type { OrderFieldsFragment } from "../gql/graphql";
import {
  CustomerLoginMutation,
  CustomerLogoutMutation,
  MyOrdersChangedSubscription,
  MyOrdersQuery,
} from "../operations";
import { session } from "../session";

type LiveOrder = OrderFieldsFragment & { version: number };

function loginForm(app: HTMLElement, done: () => void): void {
  const email = h("input", { type: "email", "data-testid": "login-email", "aria-label": "Email", required: true });
  const password = h("input", { type: "password", "data-testid": "login-password", "aria-label": "Password", required: true });
  const errors = h("ul", { class: "error", "data-testid": "login-errors" });
  const form = h("form", { "data-testid": "login-form" },
    h("h1", {}, "Log in"),
    h("p", {}, h("label", {}, "Email ", email)),
    h("p", {}, h("label", {}, "Password ", password)),
    errors,
    h("button", { type: "submit", "data-testid": "login-submit" }, "Log in"),
    h("p", { class: "muted" }, "Your guest cart is merged into your account's cart."),
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    try {
      const { customerLogin } = await request(CustomerLoginMutation, {
        email: email.value, password: password.value, cartToken: session.cartToken,
      });
      if (customerLogin.errors.length || !customerLogin.token) {
        errors.replaceChildren(...customerLogin.errors.map((e) => h("li", { "data-code": e.code }, e.message)));
        return;
      }
      session.setCustomerToken(customerLogin.token, customerLogin.customer?.name ?? null);
      // The surviving cart, with its token: store it (the guest token now reads MERGED).
      if (customerLogin.cart) cartStore.accept(customerLogin.cart);
      done();
    } catch (error) {
      flash(errorText(error));
    }
  });
  app.replaceChildren(form);
}

function orderRow(order: OrderFieldsFragment): HTMLElement {
  const status = h("strong", { "data-testid": "my-order-status" }, order.status);
  return h("li", { "data-testid": "my-order", "data-number": order.number },
    `${order.number} · ${new Date(order.createdAt).toLocaleDateString()} · `, status,
    ` · ${order.cost.totalAmount.amount} ${order.cost.totalAmount.currency}`);
}

export async function renderAccount(app: HTMLElement): Promise<Cleanup> {
  const stops: (() => void)[] = [];
  const stopAll = () => stops.splice(0).forEach((stop) => stop());
  async function show(): Promise<void> {
    stopAll();
    if (!session.customerToken) {
      loginForm(app, () => void show());
      return;
    }
    const list = h("ul", { "data-testid": "my-orders" });
    const empty = h("p", { "data-testid": "my-orders-empty" }, "No orders yet.");
    const note = h("p", { class: "muted", "data-testid": "orders-live" });
    const rows = new Map<string, { version: number; row: HTMLElement }>();
    // Until the list is read, pushes wait; an order may come both ways (versions decide).
    let early: LiveOrder[] | null = [];
    let shownFrom = -Infinity; // orders older than the page read are not on the list

    function put(order: LiveOrder, atTop: boolean): void {
      const known = rows.get(order.id);
      if (known && known.version >= order.version) return;
      if (!known && Date.parse(order.createdAt) < shownFrom) return;
      const row = orderRow(order);
      if (known) known.row.replaceWith(row);
      else if (atTop) list.prepend(row);
      else list.append(row);
      rows.set(order.id, { version: order.version, row });
      empty.replaceWith(list);
    }
    function stopped(message: string): void {
      // Live updates ended (the session ended, or the server refused): offer a re-read.
      // An error comes before its completion; the error says more.
      if (note.hasChildNodes()) return;
      const refresh = h("button", { type: "button", "data-testid": "orders-refresh" }, "Refresh");
      refresh.addEventListener("click", () => void show());
      note.replaceChildren(`${message} `, refresh);
    }

    // Subscribe first, read second: a change in between is pushed (and perhaps read too).
    stops.push(subscribe(
      MyOrdersChangedSubscription,
      {},
      ({ myOrdersChanged }) => (early ? early.push(myOrdersChanged) : put(myOrdersChanged, true)),
      (message) => stopped(`Live updates stopped: ${message}.`),
      () => stopped("Live updates ended."),
    ));
    let me;
    try {
      ({ me } = await request(MyOrdersQuery, {}));
    } catch (error) {
      stopAll();
      // UNAUTHENTICATED (the session ended) dropped the token: log in again.
      if (error instanceof ApiError && !session.customerToken) loginForm(app, () => void show());
      else flash(errorText(error));
      return;
    }
    if (!me) {
      stopAll();
      loginForm(app, () => void show());
      return;
    }
    const nodes = me.orders.nodes;
    if (me.orders.pageInfo.hasNextPage && nodes.length) {
      shownFrom = Date.parse(nodes[nodes.length - 1].createdAt);
    }
    for (const order of nodes) put(order, false);
    const pushed = early;
    early = null;
    for (const order of pushed) put(order, true);
    // What changed while the connection was down was never pushed: read the page again.
    stops.push(onReconnected(() => {
      request(MyOrdersQuery, {})
        .then(({ me: again }) => again?.orders.nodes.slice().reverse().forEach((order) => put(order, true)))
        .catch((error: unknown) => flash(errorText(error)));
    }));

    const logout = h("button", { type: "button", "data-testid": "logout" }, "Log out");
    logout.addEventListener("click", async () => {
      // Ends this session only; the cart stays the customer's (forget it on this device).
      await request(CustomerLogoutMutation, {}).catch(() => {});
      session.setCustomerToken(null);
      cartStore.forget();
      void show();
    });
    app.replaceChildren(
      h("h1", { "data-testid": "account-name" }, `Hello, ${me.name}`),
      h("h2", {}, "My orders"),
      rows.size ? list : empty,
      note,
      h("p", {}, logout),
    );
  }
  await show();
  return stopAll;
}
