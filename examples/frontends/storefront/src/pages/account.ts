// Login and "my orders". The session token lives in memory only (docs/frontend.md), so a
// reload logs out. Orders placed in this browser carry a guest orderToken and get their
// status live (orderChanged); the API has no subscription for a customer's other orders,
// so the list has a refresh button.
import type { Cleanup } from "../main";
import { request, subscribe } from "../api";
import { cartStore } from "../cart-store";
import { errorText, flash, h } from "../dom";
import type { OrderFieldsFragment } from "../gql/graphql";
import { CustomerLoginMutation, CustomerLogoutMutation, MyOrdersQuery, OrderChangedSubscription } from "../operations";
import { session } from "../session";

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
    const { me } = await request(MyOrdersQuery, {});
    if (!me) {
      loginForm(app, () => void show());
      return;
    }
    const list = h("ul", { "data-testid": "my-orders" });
    const tokens = session.orderTokens();
    for (const order of me.orders.nodes) {
      let row = orderRow(order);
      list.append(row);
      const token = tokens[order.number];
      if (token) {
        stops.push(subscribe(OrderChangedSubscription, { token }, ({ orderChanged }) => {
          const next = orderRow(orderChanged);
          row.replaceWith(next);
          row = next;
        }));
      }
    }
    const refresh = h("button", { type: "button", "data-testid": "orders-refresh" }, "Refresh");
    refresh.addEventListener("click", () => void show());
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
      me.orders.nodes.length ? list : h("p", { "data-testid": "my-orders-empty" }, "No orders yet."),
      h("p", {}, refresh, " ", logout),
    );
  }
  await show();
  return stopAll;
}
