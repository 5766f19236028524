// offline.js: registers the service worker (sw.js, written by scripts/build-site.js) so the page
// works offline after the first visit and can be installed as an app (manifest.webmanifest).
// Where service workers are unavailable (file: pages, private modes, some embedded browsers)
// the page works as before, online.

if ('serviceWorker' in navigator && /^https?:$/.test(location.protocol)) {
  navigator.serviceWorker.register(new URL('./sw.js', import.meta.url), { scope: './' }).then(
    (registration) => { document.documentElement.dataset.offline = registration.active ? 'ready' : 'installing'; },
    (err) => { console.warn(`The page will not work offline: ${err.message}`); },
  );
  navigator.serviceWorker.ready.then(() => { document.documentElement.dataset.offline = 'ready'; });
}
