//! The hydration scripts, kept off the first paint. Leptos' `HydrationScripts` (even with `defer`) adds preload links
//! that start the WASM download while the page is still painting; on a phone on slow 4G that download then sits on
//! the path of the largest paint (Lighthouse mobile measured LCP 2.6 s on /login with them, against 0.8 s for the
//! first paint). The page the server sent is complete and its forms work without JavaScript, so hydration waits for
//! the page's `load` event, its first contentful paint as the browser reports it (a fast page fires `load` before it
//! paints, and a fetch started before the largest paint is counted on its path; our pages' largest paint is their
//! first) and an idle moment, then fetches the JS glue and the WASM in parallel (a hidden tab, which paints nothing,
//! starts a second after `load`). Same asset names as
//! `HydrationScripts` (hash.txt beside the server binary when `LEPTOS_HASH_FILES=true`) and the render's CSP nonce.

use std::cell::RefCell;
use std::rc::Rc;

use leptos::config::LeptosOptions;
use leptos::nonce::use_nonce;
use leptos::prelude::*;
use leptos::tachys::html::attribute::Attribute;
use leptos::tachys::html::attribute::any_attribute::AnyAttribute;
use leptos::tachys::hydration::Cursor;
use leptos::tachys::renderer::types::Element;
use leptos::tachys::ssr::StreamBuilder;
use leptos::tachys::view::add_attr::AddAnyAttr;
use leptos::tachys::view::any_view::{AnyView, AnyViewState};
use leptos::tachys::view::{Mountable, Position, PositionState, Render, RenderHtml};

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

/// Hydrates a part of a page in a task of its own, after the walk over the rest of the page.
///
/// Hydration walks the whole page in one main-thread task, and on a first visit most of that task is the browser
/// compiling the WASM functions the walk calls for the first time (V8 compiles a WebAssembly function when it is
/// first called, on the calling thread: measured on `/production` at Lighthouse's 4× CPU slowdown, 649 ms of
/// `wasm.CompileLazy` in 1.1 s of WASM work, one task of 423 ms for the page). A part wrapped in `later` is rendered
/// by the server like any other, and in the browser it is constructed and hydrated a task later, each part in its own
/// task, so the main thread is free between them (a tap is answered) and no single task is long.
///
/// The part must render as one element (its root; a component with one root element does), or it is hydrated at
/// once with the rest, and it must create no resource and no suspense boundary (their hydration ids are taken in the
/// order the server took them). Outside hydration (a page reached by client navigation) it renders at once. The page
/// counts as hydrated (`data-hydrated`) once every part has been.
pub fn later<V: IntoView + 'static>(make: impl FnOnce() -> V + Send + 'static) -> Later {
    Later(Part::Make(Box::new(move || make().into_any())))
}

/// What [`later`] returns.
pub struct Later(Part);

enum Part {
    Make(Box<dyn FnOnce() -> AnyView + Send>),
    View(AnyView),
}

impl Later {
    fn into_view(self) -> AnyView {
        match self.0 {
            Part::Make(make) => make(),
            Part::View(view) => view,
        }
    }
}

/// Its state: hydrated (or built), or still waiting for its task.
pub struct LaterState(Rc<RefCell<Slot>>);

enum Slot {
    /// Waiting, the server's element in place; a new content while waiting replaces the one to hydrate.
    #[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
    Waiting(Later, Element),
    Ready(AnyViewState),
    /// Unmounted before its task ran.
    Gone,
}

impl Render for Later {
    type State = LaterState;

    fn build(self) -> LaterState {
        LaterState(Rc::new(RefCell::new(Slot::Ready(self.into_view().build()))))
    }

    fn rebuild(self, state: &mut LaterState) {
        let mut slot = state.0.borrow_mut();
        match &mut *slot {
            Slot::Ready(s) => self.into_view().rebuild(s),
            Slot::Waiting(part, _) => *part = self,
            Slot::Gone => {}
        }
    }
}

impl AddAnyAttr for Later {
    type Output<SomeNewAttr: Attribute> = Later;

    fn add_any_attr<NewAttr: Attribute>(self, _attr: NewAttr) -> Later {
        self
    }
}

impl RenderHtml for Later {
    type AsyncOutput = Later;
    type Owned = Later;
    const MIN_LENGTH: usize = 0;

    fn dry_resolve(&mut self) {
        if let Part::Make(_) = self.0 {
            let Part::Make(make) = std::mem::replace(&mut self.0, Part::View(().into_any())) else { unreachable!() };
            self.0 = Part::View(make());
        }
        if let Part::View(view) = &mut self.0 {
            view.dry_resolve();
        }
    }

    async fn resolve(self) -> Later {
        Later(Part::View(self.into_view().resolve().await))
    }

    fn to_html_with_buf(
        self,
        buf: &mut String,
        position: &mut Position,
        escape: bool,
        mark_branches: bool,
        extra_attrs: Vec<AnyAttribute>,
    ) {
        self.into_view().to_html_with_buf(buf, position, escape, mark_branches, extra_attrs);
    }

    fn to_html_async_with_buf<const OUT_OF_ORDER: bool>(
        self,
        buf: &mut StreamBuilder,
        position: &mut Position,
        escape: bool,
        mark_branches: bool,
        extra_attrs: Vec<AnyAttribute>,
    ) {
        self.into_view().to_html_async_with_buf::<OUT_OF_ORDER>(buf, position, escape, mark_branches, extra_attrs);
    }

    fn hydrate<const FROM_SERVER: bool>(self, cursor: &Cursor, position: &PositionState) -> LaterState {
        #[cfg(feature = "hydrate")]
        if FROM_SERVER && let Some(root) = next_element(cursor, position) {
            // The walk goes on past the part's element as if it had been hydrated; the element keeps what the
            // server sent until the part's task hydrates it.
            cursor.set(root.clone().into());
            position.set(Position::NextChild);
            let slot = Rc::new(RefCell::new(Slot::Waiting(self, root.clone())));
            let owner = Owner::current();
            PARTS_WAITING.with(|n| n.set(n.get() + 1));
            let waiting = Rc::clone(&slot);
            leptos::task::spawn_local(async move {
                yield_to_browser().await;
                let part = std::mem::replace(&mut *waiting.borrow_mut(), Slot::Gone);
                // Unmounted meanwhile: nothing to hydrate.
                if let Slot::Waiting(part, root) = part
                    && let Some(parent) = root.parent_element()
                {
                    let hydrate = move || {
                        // Where the walk stood before the element.
                        let cursor = Cursor::new(parent);
                        let position = PositionState::new(Position::FirstChild);
                        if let Some(previous) = root.previous_sibling() {
                            cursor.set(previous);
                            position.set(Position::NextChild);
                        }
                        part.into_view().hydrate::<true>(&cursor, &position)
                    };
                    let state = match owner {
                        Some(owner) => owner.with(hydrate),
                        None => hydrate(),
                    };
                    *waiting.borrow_mut() = Slot::Ready(state);
                }
                PARTS_WAITING.with(|n| n.set(n.get() - 1));
            });
            return LaterState(slot);
        }
        LaterState(Rc::new(RefCell::new(Slot::Ready(self.into_view().hydrate::<FROM_SERVER>(cursor, position)))))
    }

    fn into_owned(self) -> Later {
        self
    }
}

impl Mountable for LaterState {
    fn unmount(&mut self) {
        let mut slot = self.0.borrow_mut();
        match &mut *slot {
            Slot::Ready(s) => s.unmount(),
            // The server's element goes, and the waiting task finds nothing to do.
            Slot::Waiting(_, root) => {
                root.remove();
                *slot = Slot::Gone;
            }
            Slot::Gone => {}
        }
    }

    fn mount(&mut self, parent: &Element, marker: Option<&leptos::tachys::renderer::types::Node>) {
        match &mut *self.0.borrow_mut() {
            Slot::Ready(s) => s.mount(parent, marker),
            Slot::Waiting(_, root) => {
                let _ = parent.insert_before(root, marker);
            }
            Slot::Gone => {}
        }
    }

    fn insert_before_this(&self, child: &mut dyn Mountable) -> bool {
        match &*self.0.borrow() {
            Slot::Ready(s) => s.insert_before_this(child),
            Slot::Waiting(_, root) => match root.parent_element() {
                Some(parent) => {
                    child.mount(&parent, Some(root));
                    true
                }
                None => false,
            },
            Slot::Gone => false,
        }
    }

    fn elements(&self) -> Vec<Element> {
        match &*self.0.borrow() {
            Slot::Ready(s) => s.elements(),
            Slot::Waiting(_, root) => vec![root.clone()],
            Slot::Gone => Vec::new(),
        }
    }
}

/// The element the walk meets next, if the next node is one (a part is one element: its root).
#[cfg(feature = "hydrate")]
fn next_element(cursor: &Cursor, position: &PositionState) -> Option<Element> {
    use leptos::wasm_bindgen::JsCast;
    let current = cursor.current();
    let next = match position.get() {
        Position::FirstChild => current.first_child(),
        Position::Current => Some(current),
        _ => current.next_sibling(),
    };
    next?.dyn_into().ok()
}

thread_local! {
    /// Parts of the page [`later`] has yet to hydrate.
    static PARTS_WAITING: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
}

/// Resolves once every part [`later`] deferred has been hydrated (each in its own task; this yields between checks).
pub async fn parts_hydrated() {
    while PARTS_WAITING.with(|n| n.get()) > 0 {
        yield_to_browser().await;
    }
}

/// Ends the current task and resumes in a new one: `scheduler.yield()` where the browser has it (the continuation
/// goes ahead of other queued work), else a zero timeout. On the server, nothing to wait for.
pub async fn yield_to_browser() {
    #[cfg(feature = "hydrate")]
    {
        use leptos::wasm_bindgen::JsCast;
        let global = js_sys::global();
        let scheduler = js_sys::Reflect::get(&global, &"scheduler".into()).ok().filter(|s| s.is_object());
        let yield_fn = scheduler
            .as_ref()
            .and_then(|s| js_sys::Reflect::get(s, &"yield".into()).ok())
            .and_then(|f| f.dyn_into::<js_sys::Function>().ok());
        let promise = match (scheduler, yield_fn) {
            (Some(s), Some(f)) => f.call0(&s).ok().and_then(|p| p.dyn_into::<js_sys::Promise>().ok()),
            _ => None,
        }
        .unwrap_or_else(|| {
            js_sys::Promise::new(&mut |resolve, _| {
                let _ = leptos::prelude::window().set_timeout_with_callback(&resolve);
            })
        });
        let _ = wasm_bindgen_futures::JsFuture::from(promise).await;
    }
}
