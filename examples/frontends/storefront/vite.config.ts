import { defineConfig, type ProxyOptions } from "vite";

// In dev (and `vite preview`), /graphql goes to the demo server: HTTP and the
// graphql-transport-ws upgrade. The server refuses WebSockets from origins it does not
// know (OMNICART_CORS_ORIGINS), so the proxy presents the target's own origin, as a
// same-origin deployment would.
const target = process.env.OMNICART_API ?? "http://127.0.0.1:8000";

const graphql: ProxyOptions = {
  target,
  ws: true,
  changeOrigin: true,
  rewriteWsOrigin: true,
};

export default defineConfig({
  server: { proxy: { "/graphql": graphql } },
  preview: { proxy: { "/graphql": graphql } },
});
