import { defineConfig } from "vitest/config";

// `npm run dev` proxies the API and the WebSockets to a service on :8080.
const api = ["/vms", "/api-version", "/msr-index-list", "/images", "/templates", "/v3"];
export default defineConfig({
  build: { outDir: "dist", emptyOutDir: true, chunkSizeWarningLimit: 1024 },
  server: { proxy: Object.fromEntries(api.map((p) => [p, { target: "http://localhost:8080", ws: true }])) },
  test: { include: ["src/**/*.test.ts"], environment: "node" },
});
