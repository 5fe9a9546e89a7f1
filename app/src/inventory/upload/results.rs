//! What reading the file found: the first rows raw beside what they mean, the dry run's counts (or the commit's), and
//! the rejected rows with their reasons.

use leptos::prelude::*;
use nexus::ids::UploadId;
use nexus::inventory::rules::row::Counts;
use nexus::inventory::rules::upload::{Parsed, PreviewRow, Reject, UploadView};
use nexus::numbers::Money;

use crate::i18n::*;
use crate::inventory::texts;
use crate::ui::components::{BUTTON_SECONDARY, CARD, CARD_FLUSH};
use crate::ui::list::{Column, DataTable, Rows, file_columns};
use crate::ui::number::{count, money};

/// The first rows, raw, beside what they mean.
#[component]
pub(super) fn Preview(v: UploadView) -> impl IntoView {
    let i18n = use_i18n();
    if v.preview.is_empty() {
        return ().into_any();
    }
    let columns = preview_columns(&v.headers, &v.preview);
    view! {
        <section class=CARD_FLUSH aria-labelledby="preview-h" tabindex="0" data-testid="preview">
            <div class="px-4 py-3">
                <h2 id="preview-h" class="text-lg font-semibold">{t!(i18n, upload.preview)}</h2>
                <p class="text-sm text-slate-600 dark:text-slate-300">{t!(i18n, upload.preview_help)}</p>
            </div>
            <DataTable
                rows=v.preview
                columns
                caption=move || td_string!(i18n.get_locale(), upload.preview)
                rows_meta=Rows { testid: "preview-row", key: |r: &PreviewRow| r.line.to_string(), state: None }
                min_width="sm:min-w-[640px]"
                empty=ViewFn::from(|| ())
            />
        </section>
    }
    .into_any()
}

#[component]
pub(super) fn DryRun(c: Counts, committed: bool) -> impl IntoView {
    let i18n = use_i18n();
    let cards = move || {
        let l = i18n.get_locale();
        let mut list = vec![
            ("rows", td_string!(l, upload.c_rows), c.rows),
            ("new", td_string!(l, upload.c_new), c.new_items),
            ("price", td_string!(l, upload.c_price), c.price_changes),
            ("stock", td_string!(l, upload.c_stock), c.stock_changes),
            ("unchanged", td_string!(l, upload.c_unchanged), c.unchanged),
            ("rejected", td_string!(l, upload.c_rejected), c.rejected),
        ];
        if c.zeroed > 0 {
            let label = if committed { td_string!(l, upload.c_zeroed_done) } else { td_string!(l, upload.c_zeroed) };
            list.push(("zeroed", label, c.zeroed));
        }
        list.into_iter()
            .map(|(key, label, n)| {
                view! {
                    <div class="rounded-lg border border-slate-200 p-3 dark:border-slate-700" data-testid=format!("count-{key}")>
                        <dt class="text-xs text-slate-600 dark:text-slate-300">{label}</dt>
                        <dd class="text-2xl font-bold tabular-nums" data-value=n.to_string()>{count(l, n)}</dd>
                    </div>
                }
            })
            .collect_view()
    };
    view! {
        <section class=CARD aria-labelledby="dry-h" data-testid="dry-run">
            <h2 id="dry-h" class="text-lg font-semibold">
                {move || if committed { td_string!(i18n.get_locale(), upload.result) } else { td_string!(i18n.get_locale(), upload.dry_run) }}
            </h2>
            {(!committed).then(|| view! { <p class="mb-3 text-sm text-slate-600 dark:text-slate-300">{t!(i18n, upload.dry_run_help)}</p> })}
            <dl class="mt-3 grid grid-cols-2 gap-3 sm:grid-cols-3 lg:grid-cols-7">{cards}</dl>
        </section>
    }
}

/// The first rejected rows with their reasons (saying how many more there are), and the link to all of them as CSV.
#[component]
pub(super) fn Rejects(id: UploadId, rejects: Vec<Reject>, counts: Option<Counts>) -> impl IntoView {
    let i18n = use_i18n();
    let locale_lang = move || match i18n.get_locale() {
        Locale::es => "es",
        Locale::en => "en",
    };
    let rejects_href = move || format!("/api/v1/inventory/uploads/{id}/rejects.csv?lang={}", locale_lang());
    let total = counts.map_or(rejects.len() as i64, |c| c.rejected);
    let shown = rejects.len();
    view! {
        <section class=CARD_FLUSH aria-labelledby="rejects-h" data-testid="rejects">
            <div class="flex flex-wrap items-center justify-between gap-2 px-4 py-3">
                <h2 id="rejects-h" class="text-lg font-semibold">{t!(i18n, upload.rejects)}</h2>
                <a class=BUTTON_SECONDARY href=rejects_href download="" data-testid="download-rejects" rel="external">{t!(i18n, upload.download_rejects)}</a>
            </div>
            {(total > shown as i64).then(|| view! {
                <p class="px-4 pb-2 text-xs text-slate-600 dark:text-slate-300">
                    {move || { let l = i18n.get_locale(); td_string!(l, upload.rejects_more, shown = shown, total = count(l, total)).to_string() }}
                </p>
            })}
            <DataTable
                rows=rejects
                columns=vec![
                    Column::new(move || td_string!(i18n.get_locale(), upload.line), |r: &Reject| r.line.into_any()).class("tabular-nums"),
                    Column::new(move || td_string!(i18n.get_locale(), upload.reason), move |r: &Reject| {
                        let problem = r.problem.clone();
                        (move || texts::row_problem(i18n.get_locale(), &problem)).into_any()
                    }),
                ]
                caption=move || td_string!(i18n.get_locale(), upload.rejects)
                rows_meta=Rows { testid: "reject", key: |r: &Reject| r.line.to_string(), state: None }
                min_width=""
                empty=ViewFn::from(|| ())
            />
        </section>
    }
}

/// The preview's columns: the line, each of the file's columns as it came, and what the row means.
fn preview_columns(headers: &[String], rows: &[PreviewRow]) -> Vec<Column<PreviewRow>> {
    let i18n = use_i18n();
    let mut columns = file_columns(headers, rows, |r: &PreviewRow| r.line, |r: &PreviewRow| &r.cells);
    columns.push(Column::new(
        move || td_string!(i18n.get_locale(), upload.understood),
        move |r: &PreviewRow| {
            let parsed = r.parsed.clone();
            view! { <div data-testid="parsed">{move || understood(i18n.get_locale(), &parsed)}</div> }.into_any()
        },
    ));
    columns
}

/// What a previewed row means: its part, price, stock and location, or why it is refused.
fn understood(l: Locale, parsed: &Option<Parsed>) -> AnyView {
    match parsed {
        None => view! { <span class="text-slate-500 dark:text-slate-400">"—"</span> }.into_any(),
        Some(Parsed::Valid { key, price_cents, stock, location, min_order_qty }) => {
            let loc =
                if location.is_empty() { td_string!(l, upload.default_location).to_owned() } else { location.clone() };
            let moq = min_order_qty.map(|m| format!(" · ≥{m}")).unwrap_or_default();
            view! {
                <span class="text-emerald-800 dark:text-emerald-300">
                    <span class="font-mono">{key.clone()}</span>
                    {format!(" · {} · {} · {loc}{moq}", money(l, &Money::new(*price_cents, "MXN")), count(l, *stock))}
                </span>
            }
            .into_any()
        }
        Some(Parsed::Rejected { problem }) => {
            view! { <span class="text-red-700 dark:text-red-300">{texts::row_problem(l, problem)}</span> }.into_any()
        }
    }
}
