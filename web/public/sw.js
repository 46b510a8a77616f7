// Minimal service worker: makes the dashboard installable. It caches nothing on purpose, so a family
// member never sees stale data or a stale app after an update; every request goes to the network.
self.addEventListener("install", () => self.skipWaiting());
self.addEventListener("activate", (event) => event.waitUntil(self.clients.claim()));
self.addEventListener("fetch", () => {});
