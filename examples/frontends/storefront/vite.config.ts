import { defineConfig } from "vite";

// In dev, /graphql (HTTP and the graphql-transport-ws upgrade) goes to the demo server.
const target = process.env.OMNICART_API ?? "http://127.0.0.1:8000";

export default defineConfig({
  server: {
    proxy: {
      "/graphql": { target, ws: true, changeOrigin: true },
    },
  },
  preview: {
    proxy: {
      "/graphql": { target, ws: true, changeOrigin: true },
    },
  },
});
