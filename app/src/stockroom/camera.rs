//! Scanning with the device's camera, where the browser offers `BarcodeDetector` (Chrome on Android, Edge, Chrome on
//! macOS; not Firefox or Safari on iOS today): the button appears only there, and the page's
//! `Permissions-Policy` lets this one page ask for the camera. Codes read are handed to the counter as if typed; the
//! same code is not read twice within a second and a half (a label held in front of the lens).

use leptos::prelude::*;

use crate::i18n::*;
use crate::ui::components::BUTTON_SECONDARY;

#[component]
pub fn Camera(on_code: Callback<String>) -> impl IntoView {
    let i18n = use_i18n();
    // Known after hydration only (the server cannot tell), so the server's HTML and the first render agree.
    let supported = RwSignal::new(false);
    let running = RwSignal::new(false);
    let problem = RwSignal::new(false);
    let video = NodeRef::<leptos::html::Video>::new();
    #[cfg(not(feature = "hydrate"))]
    let _ = on_code;
    #[cfg(feature = "hydrate")]
    let scanner = StoredValue::new_local(None::<browser::Scanner>);
    Effect::new(move |_| {
        #[cfg(feature = "hydrate")]
        supported.set(browser::supported());
    });
    let start = move |_| {
        problem.set(false);
        #[cfg(feature = "hydrate")]
        {
            let Some(el) = video.get_untracked() else { return };
            running.set(true);
            leptos::task::spawn_local(async move {
                match browser::Scanner::start(el, on_code).await {
                    Ok(s) => scanner.set_value(Some(s)),
                    Err(()) => {
                        running.set(false);
                        problem.set(true);
                    }
                }
            });
        }
    };
    let stop = move |_| {
        #[cfg(feature = "hydrate")]
        scanner.update_value(|s| {
            if let Some(s) = s.take() {
                s.stop();
            }
        });
        running.set(false);
    };
    on_cleanup(move || {
        #[cfg(feature = "hydrate")]
        scanner.update_value(|s| {
            if let Some(s) = s.take() {
                s.stop();
            }
        });
    });
    view! {
        <div class=move || { if supported.get() { "mt-2" } else { "hidden" } }>
            <button type="button" class=BUTTON_SECONDARY data-testid="counter-camera"
                on:click=move |e| if running.get_untracked() { stop(e) } else { start(e) }>
                {move || if running.get() { td_string!(i18n.get_locale(), room.camera_stop) } else { td_string!(i18n.get_locale(), room.camera_start) }}
            </button>
            <p class="mt-1 text-sm text-red-700 dark:text-red-300" role="status">
                {move || problem.get().then(|| td_string!(i18n.get_locale(), room.camera_problem))}
            </p>
            <video node_ref=video class=move || { if running.get() { "mt-2 max-h-64 w-full rounded-lg bg-black" } else { "hidden" } }
                playsinline=true muted=true aria-label=move || td_string!(i18n.get_locale(), room.camera_view)></video>
        </div>
    }
}

#[cfg(feature = "hydrate")]
mod browser {
    //! `BarcodeDetector` and `getUserMedia` through JavaScript's reflection (`web-sys` has no stable binding for the
    //! detector).
    use std::cell::Cell;
    use std::rc::Rc;

    use js_sys::{Array, Function, Object, Promise, Reflect};
    use leptos::prelude::*;
    use wasm_bindgen::JsCast;
    use wasm_bindgen::prelude::*;
    use wasm_bindgen_futures::JsFuture;

    /// How often a frame is looked at.
    const EVERY_MS: i32 = 300;
    /// The same code read again within this is the same scan.
    const SAME_MS: f64 = 1500.0;

    fn get(target: &JsValue, name: &str) -> Option<JsValue> {
        Reflect::get(target, &JsValue::from_str(name)).ok().filter(|v| !v.is_undefined() && !v.is_null())
    }

    pub fn supported() -> bool {
        let Some(window) = web_sys::window() else { return false };
        get(&window, "BarcodeDetector").is_some()
            && get(&window.navigator(), "mediaDevices").and_then(|m| get(&m, "getUserMedia")).is_some()
    }

    pub struct Scanner {
        stream: JsValue,
        timer: i32,
        _tick: Closure<dyn FnMut()>,
    }

    impl Scanner {
        pub async fn start(video: web_sys::HtmlVideoElement, on_code: Callback<String>) -> Result<Scanner, ()> {
            let window = web_sys::window().ok_or(())?;
            let devices = get(&window.navigator(), "mediaDevices").ok_or(())?;
            let constraints = Object::new();
            let facing = Object::new();
            Reflect::set(&facing, &"facingMode".into(), &"environment".into()).map_err(|_| ())?;
            Reflect::set(&constraints, &"video".into(), &facing).map_err(|_| ())?;
            Reflect::set(&constraints, &"audio".into(), &JsValue::FALSE).map_err(|_| ())?;
            let ask: Function = get(&devices, "getUserMedia").ok_or(())?.dyn_into().map_err(|_| ())?;
            let promise: Promise = ask.call1(&devices, &constraints).map_err(|_| ())?.dyn_into().map_err(|_| ())?;
            let stream = JsFuture::from(promise).await.map_err(|_| ())?;
            Reflect::set(&video, &"srcObject".into(), &stream).map_err(|_| ())?;
            if let Some(play) = get(&video, "play").and_then(|p| p.dyn_into::<Function>().ok()) {
                let _ = play.call0(&video);
            }
            let ctor: Function = get(&window, "BarcodeDetector").ok_or(())?.dyn_into().map_err(|_| ())?;
            let detector = Reflect::construct(&ctor, &Array::new()).map_err(|_| ())?;
            let detect: Function = get(&detector, "detect").ok_or(())?.dyn_into().map_err(|_| ())?;
            let busy = Rc::new(Cell::new(false));
            let last = Rc::new(std::cell::RefCell::new((String::new(), 0.0_f64)));
            let tick = Closure::<dyn FnMut()>::new(move || {
                if busy.get() {
                    return;
                }
                let Ok(found) = detect.call1(&detector, &video) else { return };
                let Ok(found) = found.dyn_into::<Promise>() else { return };
                busy.set(true);
                let (busy, last) = (busy.clone(), last.clone());
                wasm_bindgen_futures::spawn_local(async move {
                    if let Ok(codes) = JsFuture::from(found).await {
                        let first = Array::from(&codes).get(0);
                        if let Some(code) = get(&first, "rawValue").and_then(|v| v.as_string()) {
                            let now = js_sys::Date::now();
                            let repeat = {
                                let l = last.borrow();
                                l.0 == code && now - l.1 < SAME_MS
                            };
                            *last.borrow_mut() = (code.clone(), now);
                            if !repeat {
                                on_code.run(code);
                            }
                        }
                    }
                    busy.set(false);
                });
            });
            let timer = window
                .set_interval_with_callback_and_timeout_and_arguments_0(tick.as_ref().unchecked_ref(), EVERY_MS)
                .map_err(|_| ())?;
            Ok(Scanner { stream, timer, _tick: tick })
        }

        pub fn stop(self) {
            if let Some(w) = web_sys::window() {
                w.clear_interval_with_handle(self.timer);
            }
            if let Some(tracks) = get(&self.stream, "getTracks").and_then(|f| f.dyn_into::<Function>().ok())
                && let Ok(list) = tracks.call0(&self.stream)
            {
                for t in Array::from(&list).iter() {
                    if let Some(stop) = get(&t, "stop").and_then(|f| f.dyn_into::<Function>().ok()) {
                        let _ = stop.call0(&t);
                    }
                }
            }
        }
    }
}
