// sw.js: the page's service worker. After the first visit it serves every file of the site
// (page, modules, wasm, pretrained models) from the Cache API, so the page opens and works
// offline. scripts/build-site.js replaces the two placeholders below with the site's file list
// and a version made from the files' bytes: a new build gets a new cache and the old one is
// deleted; an unchanged build keeps its cache. Only this site's own files are answered here.

const FILES = self.__SITE_FILES__;
const VERSION = self.__SITE_VERSION__;
const PREFIX = 'seq2seq-attention-site-';
const CACHE = PREFIX + VERSION;

self.addEventListener('install', (event) => {
  event.waitUntil((async () => {
    const cache = await caches.open(CACHE);
    // cache: 'reload' skips the HTTP cache, so the cache holds exactly this build's files.
    await cache.addAll(FILES.map((f) => new Request(new URL(f, self.registration.scope), { cache: 'reload' })));
    await self.skipWaiting();
  })());
});

self.addEventListener('activate', (event) => {
  event.waitUntil((async () => {
    for (const key of await caches.keys()) {
      if (key.startsWith(PREFIX) && key !== CACHE) await caches.delete(key);
    }
    await self.clients.claim();
  })());
});

self.addEventListener('fetch', (event) => {
  const request = event.request;
  if (request.method !== 'GET' || !request.url.startsWith(self.registration.scope)) return;
  event.respondWith((async () => {
    const cache = await caches.open(CACHE);
    const hit = await cache.match(request, { ignoreSearch: request.mode === 'navigate' });
    if (hit) return hit;
    try {
      return await fetch(request);
    } catch (err) {
      // Offline and not cached: a page navigation still gets the page.
      if (request.mode === 'navigate') {
        const page = await cache.match(new URL('./', self.registration.scope).href);
        if (page) return page;
      }
      throw err;
    }
  })());
});
