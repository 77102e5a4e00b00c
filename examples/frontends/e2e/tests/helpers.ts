// Shared steps: screenshots for a human to look at, the staff API, adding a product.
import { expect, type APIRequestContext, type Page } from "@playwright/test";
import { fileURLToPath } from "node:url";

const SCREENSHOTS = fileURLToPath(new URL("../screenshots/", import.meta.url));

export async function screenshot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: `${SCREENSHOTS}${name}.png`, fullPage: true });
}

export const apiUrl = (): string => process.env.E2E_API_URL ?? "http://127.0.0.1:8000/graphql";

/** A GraphQL call as staff (Authorization: Bearer E2E_STAFF_TOKEN); fails on any error. */
export async function staff<T>(
  request: APIRequestContext,
  query: string,
  variables: Record<string, unknown> = {},
): Promise<T> {
  const token = process.env.E2E_STAFF_TOKEN;
  expect(token, "E2E_STAFF_TOKEN (run.sh creates one)").toBeTruthy();
  const response = await request.post(apiUrl(), {
    headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/json" },
    data: { query, variables },
  });
  expect(response.ok()).toBeTruthy();
  const body = (await response.json()) as { data?: T; errors?: unknown[] };
  expect(body.errors ?? []).toEqual([]);
  return body.data as T;
}

/** A staff mutation of the `field(input: FieldInput!)` shape; fails on any UserError. */
export async function staffMutation(
  request: APIRequestContext,
  field: string,
  input: Record<string, unknown>,
): Promise<void> {
  const inputType = `${field[0].toUpperCase()}${field.slice(1)}Input`;
  const data = await staff<Record<string, { errors: unknown[] }>>(
    request,
    `mutation ($input: ${inputType}!) { ${field}(input: $input) { errors { field code message } } }`,
    { input },
  );
  expect(data[field].errors).toEqual([]);
}

/** Opens the catalog's n-th product card; returns the product's slug. */
export async function openProduct(page: Page, index: number): Promise<string> {
  await page.goto("/#/");
  const card = page.getByTestId("product-card").nth(index);
  await expect(card).toBeVisible();
  const slug = (await card.getAttribute("data-slug"))!;
  await card.click();
  await expect(page.getByTestId("product-page")).toHaveAttribute("data-slug", slug);
  return slug;
}

/** Adds the product page's selected variant (the first in stock) to the cart; returns its SKU. */
export async function addSelected(page: Page): Promise<string> {
  const select = page.getByTestId("variant-select");
  const sku = (await select.locator("option:checked").getAttribute("data-sku"))!;
  await expect(page.getByTestId("add-to-cart")).toBeEnabled();
  await page.getByTestId("add-to-cart").click();
  await expect(page.getByTestId("add-result")).toContainText("Added");
  return sku;
}

/** On the checkout page: the email, then a Warszawa store's click and collect. */
export async function chooseClickAndCollect(page: Page, email: string): Promise<void> {
  await page.goto("/#/checkout");
  await expect(page.getByTestId("checkout-page")).toBeVisible();
  await page.getByTestId("checkout-email").fill(email);
  await page.getByTestId("checkout-city").selectOption("Warszawa");
  const pickup = page.locator('[data-testid^="delivery-option-"][data-method="PICKUP"]').first();
  await expect(pickup).toBeVisible();
  await pickup.check();
  await expect(pickup).toBeChecked();
}

/** "Pay" with the authorised test card; the confirmation's order number. */
export async function placeOrder(page: Page): Promise<string> {
  await page.getByTestId("place-order").click();
  await expect(page.getByTestId("order-confirmation")).toBeVisible();
  const number = page.getByTestId("order-number");
  await expect(number).not.toBeEmpty();
  return (await number.textContent())!.trim();
}

/** A GraphQL call without credentials (a shopper's); fails on any GraphQL error. */
export async function shopper<T>(
  request: APIRequestContext,
  query: string,
  variables: Record<string, unknown> = {},
): Promise<T> {
  const response = await request.post(apiUrl(), {
    headers: { "Content-Type": "application/json" },
    data: { query, variables },
  });
  expect(response.ok()).toBeTruthy();
  const body = (await response.json()) as { data?: T; errors?: unknown[] };
  expect(body.errors ?? []).toEqual([]);
  return body.data as T;
}
