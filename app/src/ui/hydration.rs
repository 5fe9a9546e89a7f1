//! The hydration scripts, kept off the first paint. Leptos' `HydrationScripts` (even with `defer`) adds preload links
//! that start the WASM download while the page is still painting; on a phone on slow 4G that download then sits on
//! the path of the largest paint (Lighthouse mobile measured LCP 2.6 s on /login with them, against 0.8 s for the
//! first paint). The page the server sent is complete and its forms work without JavaScript, so hydration waits for
//! the page's `load` event, its first contentful paint as the browser reports it (a fast page fires `load` before it
//! paints, and a fetch started before the largest paint is counted on its path; our pages' largest paint is their
//! first) and an idle moment, then fetches the JS glue and the WASM in parallel (a hidden tab, which paints nothing,
//! starts a second after `load`). Same asset names as
//! `HydrationScripts` (hash.txt beside the server binary when `LEPTOS_HASH_FILES=true`) and the render's CSP nonce.

use leptos::config::LeptosOptions;
use leptos::nonce::use_nonce;
use leptos::prelude::*;

#[component]
pub fn DeferredHydration(options: LeptosOptions) -> impl IntoView {
    let (js, wasm) = asset_names(&options);
    let pkg = format!("/{}", options.site_pkg_dir);
    let script = format!(
        "(()=>{{const go=()=>{{const w=fetch({wasm:?});import({js:?}).then(m=>m.default({{module_or_path:w}})\
         .then(()=>setTimeout(()=>m.hydrate(),0)))}};const idle=()=>('requestIdleCallback' in window)?\
         requestIdleCallback(go,{{timeout:2000}}):setTimeout(go,0);\
         const painted=()=>{{let once=false;const f=()=>{{if(!once){{once=true;idle()}}}};\
         try{{new PerformanceObserver((l,o)=>{{if(l.getEntriesByName('first-contentful-paint').length)\
         {{o.disconnect();f()}}}}).observe({{type:'paint',buffered:true}})}}catch(e){{f()}}setTimeout(f,1000)}};\
         document.readyState==='complete'?painted():addEventListener('load',painted,{{once:true}})}})()",
        js = format!("{pkg}/{js}.js"),
        wasm = format!("{pkg}/{wasm}.wasm"),
    );
    view! { <script type="module" nonce=use_nonce()>{script}</script> }
}

/// `nexus.<hash>` for the JS and the WASM, from hash.txt when the build hashed the names; else the plain names.
fn asset_names(options: &LeptosOptions) -> (String, String) {
    let name = options.output_name.to_string();
    #[cfg(feature = "ssr")]
    if options.hash_files {
        static HASHES: std::sync::OnceLock<(Option<String>, Option<String>)> = std::sync::OnceLock::new();
        let (js, wasm) = HASHES.get_or_init(|| {
            let path = std::env::current_exe()
                .ok()
                .and_then(|p| p.parent().map(|d| d.join(options.hash_file.as_ref())))
                .unwrap_or_default();
            let text = std::fs::read_to_string(&path).unwrap_or_else(|e| {
                tracing::error!(path = %path.display(), error = %e, "hash file missing: assets served by plain names");
                String::new()
            });
            let find = |key: &str| {
                text.lines().find_map(|l| {
                    let (k, v) = l.split_once(':')?;
                    (k.trim() == key).then(|| v.trim().to_owned())
                })
            };
            (find("js"), find("wasm"))
        });
        let with = |h: &Option<String>| h.as_ref().map_or_else(|| name.clone(), |h| format!("{name}.{h}"));
        return (with(js), with(wasm));
    }
    (name.clone(), name)
}
