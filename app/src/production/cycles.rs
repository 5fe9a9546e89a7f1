//! `/production/settings`, a line's own rate: a product's ideal cycle on one line, where that line makes it at another
//! rate than the product's own (a manual bench assembling by hand what a press stamps in a second); that line's
//! figures read it. Each row saves on its own, with or without JavaScript; 0 s removes it.

use leptos::prelude::*;
use nexus::production::rules::settings::{LineCycleInput, LineCycleSetting, Settings};

use super::settings::{FIELD, Fresh, H2, Problems};
use crate::error::AppError;
use crate::i18n::*;
use crate::ui::components::{BUTTON_SECONDARY, CARD_FLUSH};
use crate::ui::number;

#[server(prefix = "/api", endpoint = "ui/production/settings/line-cycle")]
pub async fn save_line_cycle(input: LineCycleInput) -> Result<(), AppError> {
    let st = crate::state::state()?;
    let (user, meta) = (crate::state::user()?, crate::state::meta());
    Ok(nexus::production::service::settings::save_line_cycle(&st.pool, &user, &meta, &input).await?)
}

#[component]
pub(super) fn LineCycles(
    s: Settings,
    action: ServerAction<SaveLineCycle>,
    error: Signal<Option<AppError>>,
) -> impl IntoView {
    let i18n = use_i18n();
    let lines: Vec<_> = s.lines.iter().map(|l| (l.id, format!("{} · {}", l.code, l.name))).collect();
    let products: Vec<_> =
        s.products.iter().map(|p| (p.id, format!("{} · {}", p.code, p.name), p.ideal_cycle_s)).collect();
    // One row: a line's rate as set (its line and product named, the product's own beside), or the form for a new one.
    let row = move |c: Option<LineCycleSetting>| {
        let key = c.as_ref().map_or_else(|| "new".to_owned(), |c| format!("{}-{}", c.line_id, c.product_id));
        let cells = match &c {
            Some(c) => {
                let line = lines.iter().find(|l| l.0 == c.line_id).map(|l| l.1.clone()).unwrap_or_default();
                let (product, theirs) =
                    products.iter().find(|p| p.0 == c.product_id).map(|p| (p.1.clone(), p.2)).unwrap_or_default();
                // As few decimals as it has (a cycle is whole milliseconds): 2 s, 1.5 s, 0.125 s.
                let places = (0..3).find(|&p| (theirs * 10f64.powi(p)).fract().abs() < 1e-9).unwrap_or(3) as usize;
                let theirs = move || number::decimal(i18n.get_locale(), theirs, places);
                view! {
                    <input type="hidden" name="input[line_id]" value=c.line_id.to_string() />
                    <input type="hidden" name="input[product_id]" value=c.product_id.to_string() />
                    <span class="text-xs">{t!(i18n, prodset.line)}<span class="block py-2 font-medium">{line}</span></span>
                    <span class="text-xs">{t!(i18n, prodset.product)}<span class="block py-2 font-medium">{product}</span>
                        <span class="block text-slate-600 dark:text-slate-300">{move || td_string!(i18n.get_locale(), prodset.product_cycle, s = theirs()).to_string()}</span>
                    </span>
                }
                .into_any()
            }
            None => {
                let (lines, products) = (lines.clone(), products.clone());
                view! {
                    <label class="text-xs">{t!(i18n, prodset.line)}
                        <select name="input[line_id]" class=FIELD required>
                            {lines.into_iter().map(|(id, name)| view! { <option value=id.to_string()>{name}</option> }).collect_view()}
                        </select>
                    </label>
                    <label class="text-xs">{t!(i18n, prodset.product)}
                        <select name="input[product_id]" class=FIELD required>
                            {products.into_iter().map(|(id, name, _)| view! { <option value=id.to_string()>{name}</option> }).collect_view()}
                        </select>
                    </label>
                }
                .into_any()
            }
        };
        let (cycle, is_new) = (c.as_ref().map(|c| c.ideal_cycle_s.to_string()), c.is_none());
        view! {
            <ActionForm action attr:class="contents" attr:data-testid=format!("line-cycle-form-{key}")>
                <div class="grid grid-cols-2 items-end gap-2 border-t border-slate-200 px-3 py-2 sm:grid-cols-[1fr_1fr_8rem_auto] dark:border-slate-700">
                    {cells}
                    <label class="text-xs">{t!(i18n, prodset.cycle_s)}<input name="input[ideal_cycle_s]" type="number" step="0.001" min="0" value=cycle class=FIELD required /></label>
                    <button type="submit" class=BUTTON_SECONDARY>{if is_new { t!(i18n, prodset.add).into_any() } else { t!(i18n, prodset.save).into_any() }}</button>
                </div>
            </ActionForm>
        }
    };
    let rows = s.line_cycles.iter().cloned().map(|c| row.clone()(Some(c))).collect_view();
    let none = s.line_cycles.is_empty();
    let can_add = !s.lines.is_empty() && !s.products.is_empty();
    view! {
        <section class=CARD_FLUSH aria-labelledby="set-line-cycles-h" data-testid="set-line-cycles">
            <h2 id="set-line-cycles-h" class=format!("{H2} px-3 pt-3")>{t!(i18n, prodset.line_cycles)}</h2>
            <p class="px-3 pb-2 text-sm text-slate-600 dark:text-slate-300">{t!(i18n, prodset.line_cycles_note)}</p>
            <div class="px-3"><Problems error /></div>
            {none.then(|| view! { <p class="px-3 pb-2 text-sm" data-testid="line-cycles-none">{t!(i18n, prodset.line_cycles_none)}</p> })}
            {rows}
            {can_add.then(|| view! { <Fresh action row=move || row(None) /> })}
        </section>
    }
}
