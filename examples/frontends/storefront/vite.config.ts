import { defineConfig, type ProxyOptions } from "vite";

// In dev (and `vite preview`), /graphql goes to the demo server: HTTP and the
// graphql-transport-ws upgrade. The server refuses WebSockets from origins it does not
// know (OMNICART_CORS_ORIGINS), so the proxy presents the target's own origin, as a
// same-origin deployment would. /mobile/ (the phone page the resume link and QR code
// open) goes there too: `omnicart serve --demo` serves the built mobile-resume starter.
const target = process.env.OMNICART_API ?? "http://127.0.0.1:8000";

const api: ProxyOptions = {
  target,
  ws: true,
  changeOrigin: true,
  rewriteWsOrigin: true,
};
const proxy = { "/graphql": api, "/mobile/": { target, changeOrigin: true } };

// `npm run build` writes into the Python package (schema/static/storefront/), which
// `omnicart serve --demo` serves at `/`: the built files are checked in, so installing
// Omnicart needs no Node.js, and CI rebuilds them and fails when they are stale.
export default defineConfig({
  server: { proxy },
  preview: { proxy },
  build: { outDir: "../../../schema/static/storefront", emptyOutDir: true },
});
