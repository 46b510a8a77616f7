import type { NextConfig } from "next";

// Static export: deployable to Cloudflare Pages and served by the API at "/" when embedded.
// Pages with ids use query parameters (/annunci?id=…), so no page is generated per id.
const config: NextConfig = {
  output: "export",
  trailingSlash: false,
  images: { unoptimized: true },
  poweredByHeader: false,
  reactStrictMode: true,
};

export default config;
