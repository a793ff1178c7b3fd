{% load i18n %}/* The grid worker app's service worker (scope {{ scope }}), version {{ version }}.
 *
 * - static files: cache first, from a cache named after this version (pre-cached at install,
 *   old versions deleted at activation);
 * - pages of the app: network first (a slow network falls back to the copy after a few
 *   seconds), the copy kept for the next time there is no network;
 * - everything else (the API, uploads, other pages): straight to the network. Reports are not
 *   queued here but in IndexedDB by the page (outbox.js), where the worker can see them.
 */
"use strict";

const VERSION = "{{ version }}";
const STATIC_CACHE = "gridgov-m-static-" + VERSION;
// Pages hold one worker's data: app.js deletes this cache when another account signs in.
const PAGE_CACHE = "gridgov-m-pages";
const SCOPE = "{{ scope }}";
const STATIC_PREFIX = "{{ static_prefix }}";
const PAGES = {{ pages|safe }};
const ASSETS = {{ assets|safe }};
// Django pages vary on Cookie and Accept-Language, which a worker cannot see anyway.
const MATCH = { ignoreVary: true };
const PAGE_TIMEOUT_MS = 6000;

self.addEventListener("install", (event) => {
  event.waitUntil((async () => {
    const cache = await caches.open(STATIC_CACHE);
    await cache.addAll(ASSETS.map((url) => new Request(url, { cache: "reload" })));
    const pages = await caches.open(PAGE_CACHE);
    await Promise.all(PAGES.map(async (url) => {
      try {
        const response = await fetch(url, { credentials: "same-origin", redirect: "manual" });
        if (cacheable(response)) await pages.put(url, response);
      } catch (error) { /* offline at install: the page is cached on its next visit */ }
    }));
    await self.skipWaiting();
  })());
});

self.addEventListener("activate", (event) => {
  event.waitUntil((async () => {
    const names = await caches.keys();
    await Promise.all(names
      .filter((name) => name.startsWith("gridgov-m-static-") && name !== STATIC_CACHE)
      .map((name) => caches.delete(name)));
    await self.clients.claim();
  })());
});

self.addEventListener("message", (event) => {
  if (event.data === "clear-pages") event.waitUntil(caches.delete(PAGE_CACHE));
});

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (request.mode === "navigate" && url.pathname.startsWith(SCOPE)) {
    event.respondWith(page(request, event));
  } else if (url.pathname.startsWith(STATIC_PREFIX)) {
    event.respondWith(asset(request));
  }
});

function cacheable(response) {
  return response && response.ok && response.type === "basic" && !response.redirected;
}

async function asset(request) {
  const cached = await caches.match(request, { ...MATCH, cacheName: STATIC_CACHE });
  if (cached) return cached;
  const response = await fetch(request);
  if (cacheable(response)) {
    const cache = await caches.open(STATIC_CACHE);
    await cache.put(request, response.clone());
  }
  return response;
}

async function cachedPage(request) {
  const cache = await caches.open(PAGE_CACHE);
  return (await cache.match(request, { ...MATCH, ignoreSearch: true })) || (await cache.match(SCOPE, MATCH));
}

async function page(request, event) {
  const network = fetch(request).then(async (response) => {
    if (cacheable(response)) {
      const cache = await caches.open(PAGE_CACHE);
      await cache.put(request.url.split("#")[0].split("?")[0], response.clone());
    }
    return response;
  });
  event.waitUntil(network.catch(() => null));
  // A bad connection: wait a few seconds, then show the copy while the network goes on.
  const slow = new Promise((resolve) => setTimeout(resolve, PAGE_TIMEOUT_MS, "slow"));
  try {
    const first = await Promise.race([network, slow]);
    if (first !== "slow") return first;
    const copy = await cachedPage(request);
    return copy || (await network);
  } catch (error) {
    const copy = await cachedPage(request);
    if (copy) return copy;
    return new Response(
      "<!doctype html><meta charset=utf-8><meta name=viewport content='width=device-width'>" +
      "<title>{% filter escapejs %}{% translate "离线" %}{% endfilter %}</title>" +
      "<p style='font:16px sans-serif;padding:1rem'>" +
      "{% filter escapejs %}{% translate "没有网络,本机也没有这个页面的缓存。请联网后再打开。" %}{% endfilter %}</p>",
      { status: 503, headers: { "Content-Type": "text/html; charset=utf-8" } });
  }
}
