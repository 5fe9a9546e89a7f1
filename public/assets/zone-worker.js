// Nexus: the browser's time zone (an IANA name), asked off the page's main thread (app/src/ui/time.rs).
postMessage(Intl.DateTimeFormat().resolvedOptions().timeZone);
