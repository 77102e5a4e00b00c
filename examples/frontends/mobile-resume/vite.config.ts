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

// Port 5174 (the storefront's dev server has 5173), so both devices can run side by side.
// Every path serves the page (Vite's SPA fallback), so a link <origin>/cart#omct_...
// opens it as well as /#omct_...
//
// `npm run build` writes into the Python package (schema/static/mobile/), which
// `omnicart serve --demo` serves at `/mobile/` (hence that base for the build; the
// storefront's resume link and QR code point there). The built files are checked in, so
// installing Omnicart needs no Node.js; CI rebuilds them and fails when they are stale.
export default defineConfig(({ command }) => ({
  base: command === "build" ? "/mobile/" : "/",
  server: { port: 5174, proxy: { "/graphql": graphql } },
  preview: { port: 4174, proxy: { "/graphql": graphql } },
  build: { outDir: "../../../schema/static/mobile", emptyOutDir: true },
}));
