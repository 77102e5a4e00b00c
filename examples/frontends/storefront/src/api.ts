// The one place that talks to the API: queries and mutations over HTTP POST,
// subscriptions over graphql-transport-ws (the graphql-ws client), both on /graphql.
import type { TypedDocumentNode } from "@graphql-typed-document-node/core";
import { print } from "graphql";
import { createClient, type Client } from "graphql-ws";
import { session } from "./session";

export const API_PATH = "/graphql";

/** A top-level GraphQL error (not a UserError in a payload), with its extensions.code. */
export class ApiError extends Error {
  constructor(
    message: string,
    readonly code: string | undefined,
    readonly status: number,
  ) {
    super(message);
  }
}

interface GraphQLResponse<T> {
  data?: T | null;
  errors?: { message: string; extensions?: { code?: string; reason?: string } }[];
}

function headers(): Record<string, string> {
  const h: Record<string, string> = { "content-type": "application/json" };
  h["omnicart-channel"] = session.channel;
  if (session.customerToken) h.authorization = `Bearer ${session.customerToken}`;
  return h;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Runs a query or mutation. A 503 (DATABASE_UNAVAILABLE) or a lost connection is
 * retried unchanged, so a mutation keeps its idempotencyKey and is applied once.
 */
export async function request<R, V>(document: TypedDocumentNode<R, V>, variables: V): Promise<R> {
  const body = JSON.stringify({ query: print(document), variables });
  let delay = 1000;
  for (let attempt = 0; ; attempt++) {
    let response: Response;
    try {
      response = await fetch(API_PATH, { method: "POST", headers: headers(), body });
    } catch (error) {
      if (attempt >= 3) throw error;
      await sleep(delay);
      delay *= 2;
      continue;
    }
    if (response.status === 503 && attempt < 5) {
      const after = Number(response.headers.get("retry-after") ?? "1");
      await sleep(Math.max(after * 1000, delay) + Math.random() * 250);
      delay *= 2;
      continue;
    }
    const result = (await response.json()) as GraphQLResponse<R>;
    if (result.errors?.length) {
      const first = result.errors[0];
      if (first.extensions?.code === "UNAUTHENTICATED") session.setCustomerToken(null);
      throw new ApiError(
        result.errors.map((e) => e.message).join("; "),
        first.extensions?.reason ?? first.extensions?.code,
        response.status,
      );
    }
    return result.data as R;
  }
}

let wsClient: Client | null = null;
// The server authenticates a WebSocket once, by its connection_init params (a browser
// cannot set headers on it), and keeps that session for the connection's life. So the
// params carry the session token, and a login or logout restarts the connection.
let connectionToken: string | null = null; // what the current connection was opened with
let open = false; // a connection is opening or open
let restarting = false; // the next reconnection is our own restart: no backoff

function ws(): Client {
  if (!wsClient) {
    const url = new URL(API_PATH, location.href);
    url.protocol = url.protocol === "https:" ? "wss:" : "ws:";
    // graphql-ws reconnects by itself and resubscribes: a resubscription's first messages
    // (or, for myOrdersChanged, a re-read) bring us up to date.
    wsClient = createClient({
      url: url.toString(),
      retryAttempts: Infinity,
      lazy: true,
      // A function: read at each connection, so a reconnection sends the token held now.
      connectionParams: () => {
        connectionToken = session.customerToken;
        return connectionToken ? { authorization: `Bearer ${connectionToken}` } : {};
      },
      retryWait: async (retries) => {
        if (restarting) {
          restarting = false;
          return;
        }
        // graphql-ws's own randomised exponential backoff.
        await sleep(2 ** retries * 1000 + 300 + Math.random() * 2700);
      },
      on: {
        connecting: () => {
          open = true;
        },
        connected: (_socket, _payload, wasRetry) => {
          restarting = false;
          if (wasRetry) for (const listener of reconnected) listener();
        },
        closed: () => {
          open = false;
        },
      },
    });
  }
  return wsClient;
}

// Logged in or out: an open connection still acts for the previous token. Terminating
// it makes graphql-ws reconnect (with the new params) and resubscribe every active
// subscription, so the cart's cartChanged carries on as the new caller.
session.onChange(() => {
  if (wsClient && open && connectionToken !== session.customerToken) {
    restarting = true;
    wsClient.terminate();
  }
});

const reconnected = new Set<() => void>();

/**
 * Runs `listener` after each reconnection (not the first connection). graphql-ws
 * resubscribes by itself, and most subscriptions send the current state first; one that
 * sends nothing at the start (myOrdersChanged) re-reads what it follows here, or it
 * would miss what changed while the connection was down. Returns the unregistering.
 */
export function onReconnected(listener: () => void): () => void {
  reconnected.add(listener);
  return () => reconnected.delete(listener);
}

/**
 * Subscribes; returns the function that ends the subscription. ``onComplete`` runs when
 * the server ends it (myOrdersChanged does when the session ends), not when we do.
 */
export function subscribe<R, V>(
  document: TypedDocumentNode<R, V>,
  variables: V,
  onData: (data: R) => void,
  onError: (message: string) => void = (message) => console.warn(message),
  onComplete: () => void = () => {},
): () => void {
  let stopped = false;
  const stop = ws().subscribe<R>(
    { query: print(document), variables: variables as Record<string, unknown> },
    {
      next: (result) => {
        if (result.errors?.length) onError(result.errors.map((e) => e.message).join("; "));
        else if (result.data) onData(result.data as R);
      },
      error: (error) => onError(error instanceof Error ? error.message : String(error)),
      complete: () => {
        if (!stopped) onComplete();
      },
    },
  );
  return () => {
    stopped = true;
    stop();
  };
}

export function newKey(): string {
  return crypto.randomUUID();
}
