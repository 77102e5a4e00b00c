// The one place that talks to the API: queries and mutations over HTTP POST,
// subscriptions over graphql-transport-ws (the graphql-ws client), both on /graphql.
import type { TypedDocumentNode } from "@graphql-typed-document-node/core";
import { print } from "graphql";
import { createClient, type Client } from "graphql-ws";
import { CHANNEL } from "./session";

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

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Runs a query or mutation in the mobile channel. A 503 (DATABASE_UNAVAILABLE) or a lost
 * connection is retried unchanged, so a mutation keeps its idempotencyKey and is applied once.
 */
export async function request<R, V>(document: TypedDocumentNode<R, V>, variables: V): Promise<R> {
  const body = JSON.stringify({ query: print(document), variables });
  const headers = { "content-type": "application/json", "omnicart-channel": CHANNEL };
  let delay = 1000;
  for (let attempt = 0; ; attempt++) {
    let response: Response;
    try {
      response = await fetch(API_PATH, { method: "POST", headers, body });
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
      throw new ApiError(
        result.errors.map((e) => e.message).join("; "),
        first.extensions?.reason ?? first.extensions?.code,
        response.status,
      );
    }
    return result.data as R;
  }
}

export type LiveState = "connecting" | "connected" | "closed";
let wsClient: Client | null = null;
const liveListeners = new Set<(state: LiveState) => void>();

function setLive(state: LiveState): void {
  for (const listener of liveListeners) listener(state);
}

/** Called with the WebSocket's state: "connected" once live updates can arrive. */
export function onLive(listener: (state: LiveState) => void): void {
  liveListeners.add(listener);
}

function ws(): Client {
  if (!wsClient) {
    const url = new URL(API_PATH, location.href);
    url.protocol = url.protocol === "https:" ? "wss:" : "ws:";
    // graphql-ws reconnects by itself; cartChanged's first message is the cart as it is
    // now, so a resubscription brings the page up to date.
    wsClient = createClient({
      url: url.toString(),
      retryAttempts: Infinity,
      lazy: true,
      on: {
        connecting: () => setLive("connecting"),
        connected: () => setLive("connected"),
        closed: () => setLive("closed"),
      },
    });
  }
  return wsClient;
}

/** Subscribes; returns the function that ends the subscription. */
export function subscribe<R, V>(
  document: TypedDocumentNode<R, V>,
  variables: V,
  onData: (data: R) => void,
  onError: (message: string) => void,
): () => void {
  return ws().subscribe<R>(
    { query: print(document), variables: variables as Record<string, unknown> },
    {
      next: (result) => {
        if (result.errors?.length) onError(result.errors.map((e) => e.message).join("; "));
        else if (result.data) onData(result.data as R);
      },
      error: (error) => onError(error instanceof Error ? error.message : String(error)),
      complete: () => {},
    },
  );
}

export function newKey(): string {
  return crypto.randomUUID();
}
