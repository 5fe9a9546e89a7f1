//! The one list every page shows its rows in: [`DataTable`] (columns with headers, sortable ones as links, long text cut
//! with the whole of it on hover, an empty state, and on a phone each row as a card of labelled values rather than a
//! table scrolled sideways) and [`Pager`] (the first and the next page as links, so paging works without JavaScript and
//! a page can be bookmarked). Pages come cut by the services as `nexus::paging::Page`; the URL carries the filters and
//! the cursor (`after`), built by [`href`].

use std::sync::Arc;

use leptos::prelude::*;
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};

use crate::i18n::*;
use crate::ui::components::{BUTTON_DANGER, BUTTON_SECONDARY};
use crate::ui::hydration::later;

type Cell<T> = Arc<dyn Fn(&T) -> AnyView + Send + Sync>;
/// A list's address from a page's cursor (`None`: the first page).
pub type PageHref = Arc<dyn Fn(Option<&str>) -> String + Send + Sync>;

/// One column: its header (in the user's language), what each row shows in it, and how.
pub struct Column<T> {
    header: TextProp,
    cell: Cell<T>,
    class: &'static str,
    sort: Option<&'static str>,
}

impl<T: 'static> Column<T> {
    /// A column whose cells are views.
    pub fn new(header: impl Into<TextProp>, cell: impl Fn(&T) -> AnyView + Send + Sync + 'static) -> Self {
        Self { header: header.into(), cell: Arc::new(cell), class: "", sort: None }
    }

    /// A column of text cut to `width` (a Tailwind max-width class) on one line, the whole text on hover.
    pub fn text(
        header: impl Into<TextProp>,
        width: &'static str,
        text: impl Fn(&T) -> Option<String> + Send + Sync + 'static,
    ) -> Self {
        Self::new(header, move |row| {
            let text = text(row).unwrap_or_default();
            view! { <div class=format!("{width} truncate") title=text.clone()>{text.clone()}</div> }.into_any()
        })
    }

    /// A column of one action on each row (revoke, remove): a form posting the row's id as `input[id]` to `action`,
    /// so it works before hydration too, with `label` on its button. `target` gives the row's id, or, for a row the
    /// action does not apply to, what to show instead (its state, or nothing).
    pub fn action<F, P>(
        header: impl Into<TextProp>,
        action: ServerAction<F>,
        label: impl Fn() -> AnyView + Send + Sync + 'static,
        target: impl Fn(&T) -> Result<String, AnyView> + Send + Sync + 'static,
    ) -> Self
    where
        F: serde::de::DeserializeOwned
            + leptos::server_fn::ServerFn<Protocol = leptos::server_fn::Http<leptos::server_fn::codec::PostUrl, P>>
            + Clone
            + Send
            + Sync
            + 'static,
        <<F::Client as leptos::server_fn::client::Client<F::Error>>::Request as leptos::server_fn::request::ClientReq<
            F::Error,
        >>::FormData: From<web_sys::FormData>,
        F::Output: Send + Sync + 'static,
        F::Error: Send + Sync + 'static,
        F::Client: leptos::server_fn::client::Client<F::Error>,
    {
        Self::new(header, move |row| match target(row) {
            Ok(id) => {
                let label = label();
                view! {
                    <ActionForm action>
                        <input type="hidden" name="input[id]" value=id />
                        <button type="submit" class=BUTTON_DANGER>{label}</button>
                    </ActionForm>
                }
                .into_any()
            }
            Err(instead) => instead,
        })
        .class("sm:text-right")
    }

    /// Classes of the column's cells (alignment, font, wrapping).
    pub fn class(mut self, class: &'static str) -> Self {
        self.class = class;
        self
    }

    /// The list sorts by this column under `key` (its value of the URL's `sort`).
    pub fn sort(mut self, key: &'static str) -> Self {
        self.sort = Some(key);
        self
    }
}

/// How a sortable list is sorted now, and where each column's header leads (its first page in that column's order:
/// the current column reversed, another in the order the list prefers for it).
#[derive(Clone)]
pub struct Sorting {
    pub key: &'static str,
    pub desc: bool,
    pub href: Arc<dyn Fn(&'static str) -> String + Send + Sync>,
}

/// What each row says of itself to tests and scripts: `data-testid`, `data-key` (what identifies it: an e-mail, an id)
/// and, where a row has one, `data-state` (its status).
pub struct Rows<T> {
    pub testid: &'static str,
    pub key: fn(&T) -> String,
    pub state: Option<fn(&T) -> &'static str>,
}

const TH: &str = "px-4 py-3 font-medium";
const TBODY: &str = "divide-y divide-slate-200 dark:divide-slate-700";
const TBODY_NEXT: &str =
    "divide-y divide-slate-200 border-t border-slate-200 dark:divide-slate-700 dark:border-slate-700";
/// Rows hydrated per task (see `later`): about 20 ms of a mid-range phone's main thread for a row of 7 cells.
const ROWS_PER_TASK: usize = 10;
const TD: &str = "px-4 py-2 align-top";

/// The columns of a file's rows as they came (an upload's preview): the line, then each of the file's columns under
/// its header (as many as the widest row).
pub fn file_columns<T: 'static>(
    headers: &[String],
    rows: &[T],
    line: fn(&T) -> u64,
    cells: fn(&T) -> &[String],
) -> Vec<Column<T>> {
    let i18n = use_i18n();
    let width = rows.iter().map(|r| cells(r).len()).max().unwrap_or(0).max(headers.len());
    let mut columns = vec![
        Column::new(move || td_string!(i18n.get_locale(), upload.line), move |r: &T| line(r).into_any())
            .class("tabular-nums text-slate-600 dark:text-slate-300"),
    ];
    columns.extend((0..width).map(|i| {
        Column::new(headers.get(i).cloned().unwrap_or_default(), move |r: &T| {
            cells(r).get(i).cloned().unwrap_or_default().into_any()
        })
    }));
    columns
}

/// Rows under their columns. Empty, it shows `empty` instead (what to do next), never a bare header.
#[component]
pub fn DataTable<T: Send + Sync + 'static>(
    rows: Vec<T>,
    columns: Vec<Column<T>>,
    /// What the table is, for screen readers (its caption).
    #[prop(into)]
    caption: TextProp,
    /// Shown when there is no row.
    empty: ViewFn,
    #[prop(optional)] testid: &'static str,
    #[prop(optional)] rows_meta: Option<Rows<T>>,
    #[prop(optional)] sorting: Option<Sorting>,
    /// The least width of the table on screens wider than a phone (it scrolls sideways below it).
    #[prop(default = "sm:min-w-[720px]")]
    min_width: &'static str,
) -> impl IntoView {
    if rows.is_empty() {
        return view! { <div class="p-6 text-sm text-slate-600 dark:text-slate-300">{empty.run()}</div> }.into_any();
    }
    let heads = columns
        .iter()
        .map(|c| {
            let header = c.header.clone();
            let aria_sort = sorting.as_ref().and_then(|s| {
                (c.sort == Some(s.key)).then_some(if s.desc { "descending" } else { "ascending" })
            });
            let label = {
                let header = header.clone();
                move || header.get()
            };
            let content = match (c.sort, sorting.clone()) {
                (Some(key), Some(s)) => {
                    let arrow = match aria_sort {
                        Some("ascending") => "▲",
                        Some(_) => "▼",
                        None => "",
                    };
                    view! {
                        <a href=(s.href)(key) class="inline-flex items-center gap-1 hover:underline" data-testid=format!("sort-{key}")>
                            {label}<span aria-hidden="true">{arrow}</span>
                        </a>
                    }
                    .into_any()
                }
                _ => label.into_any(),
            };
            view! { <th scope="col" class=TH aria-sort=aria_sort>{content}</th> }
        })
        .collect_view();
    // The rows in bodies of ROWS_PER_TASK, each hydrated in a task of its own (`later`): a page of rows is hundreds
    // of nodes, and walking them all at once is one long task on a phone.
    let columns = Arc::new(columns);
    let rows_meta = Arc::new(rows_meta);
    let mut rows = rows.into_iter().peekable();
    let mut batches = Vec::new();
    while rows.peek().is_some() {
        batches.push(rows.by_ref().take(ROWS_PER_TASK).collect::<Vec<T>>());
    }
    let body = batches
        .into_iter()
        .enumerate()
        .map(|(n, batch)| {
            let columns = Arc::clone(&columns);
            let rows_meta = Arc::clone(&rows_meta);
            // Bodies after the first are divided from the one before like the rows within one.
            let class = if n == 0 { TBODY } else { TBODY_NEXT };
            later(move || view! { <tbody class=class>{body_rows(&batch, &columns, &rows_meta)}</tbody> })
        })
        .collect_view();
    // On a phone the header row is not shown: the orders are offered as links above the cards instead.
    let phone_sorting = sorting.map(|s| {
        let i18n = use_i18n();
        let links = columns
            .iter()
            .filter_map(|c| c.sort.map(|key| (key, c.header.clone())))
            .map(|(key, header)| {
                let current = s.key == key;
                let arrow = match (current, s.desc) {
                    (false, _) => "",
                    (true, false) => " ▲",
                    (true, true) => " ▼",
                };
                view! {
                    <a href=(s.href)(key) aria-current=current.then_some("true")
                        class="rounded-md border border-slate-300 px-2 py-1 aria-[current=true]:border-[#2b7cee] aria-[current=true]:font-semibold dark:border-slate-600">
                        {move || header.get()}<span aria-hidden="true">{arrow}</span>
                    </a>
                }
            })
            .collect_view();
        view! {
            <nav class="flex flex-wrap items-center gap-2 px-4 py-3 text-sm sm:hidden" aria-label=move || td_string!(i18n.get_locale(), list.sort_by)>
                <span class="text-slate-600 dark:text-slate-300">{t!(i18n, list.sort_by)}</span>
                {links}
            </nav>
        }
    });
    view! {
        {phone_sorting}
        <table class=format!("nx-table w-full text-left text-sm {min_width}") data-testid=testid>
            <caption class="sr-only">{move || caption.get()}</caption>
            <thead class="border-b border-slate-200 text-xs uppercase text-slate-600 dark:border-slate-700 dark:text-slate-300">
                <tr>{heads}</tr>
            </thead>
            {body}
        </table>
    }
    .into_any()
}

/// The rows of one body of a [`DataTable`].
fn body_rows<T>(rows: &[T], columns: &[Column<T>], rows_meta: &Option<Rows<T>>) -> impl IntoView + use<T> {
    rows.iter()
        .map(|row| {
            let cells = columns
                .iter()
                .map(|c| {
                    let header = c.header.clone();
                    view! {
                        <td class=format!("{TD} {}", c.class) data-label=move || header.get()><div class="min-w-0">{(c.cell)(row)}</div></td>
                    }
                })
                .collect_view();
            let (testid, key, state) = match rows_meta {
                Some(m) => (Some(m.testid), Some((m.key)(row)), m.state.map(|s| s(row))),
                None => (None, None, None),
            };
            view! { <tr data-testid=testid data-key=key data-state=state>{cells}</tr> }
        })
        .collect_view()
}

/// The first and the next page of a list, as links: `href(None)` is the first page, `href(Some(next))` the next.
#[component]
pub fn Pager(
    /// The next page's cursor (none on the last page).
    next: Option<String>,
    /// This page is not the first (a link back to the first is offered).
    #[prop(optional)]
    later: bool,
    href: PageHref,
    /// Prefix of the links' test ids (`<testid>-next`, `<testid>-first`).
    #[prop(default = "page")]
    testid: &'static str,
) -> impl IntoView {
    let i18n = use_i18n();
    if next.is_none() && !later {
        return ().into_any();
    }
    view! {
        <nav class="flex flex-wrap gap-2 p-4" aria-label=move || td_string!(i18n.get_locale(), list.pages)>
            {later.then(|| view! {
                <a class=BUTTON_SECONDARY href=href(None) data-testid=format!("{testid}-first")>{t!(i18n, common.first_page)}</a>
            })}
            {next.map(|n| view! {
                <a class=BUTTON_SECONDARY href=href(Some(&n)) rel="next" data-testid=format!("{testid}-next")>{t!(i18n, common.next_page)}</a>
            })}
        </nav>
    }
    .into_any()
}

/// `path` with the query `params` (empty values left out), each value percent-encoded.
pub fn href(path: &str, params: &[(&str, &str)]) -> String {
    let query: Vec<String> =
        params.iter().filter(|(_, v)| !v.is_empty()).map(|(k, v)| format!("{k}={}", encode(v))).collect();
    if query.is_empty() { path.to_owned() } else { format!("{path}?{}", query.join("&")) }
}

/// What a query value keeps as it is: letters, digits and `-_.~` (RFC 3986's unreserved characters).
const QUERY_VALUE: &AsciiSet = &NON_ALPHANUMERIC.remove(b'-').remove(b'_').remove(b'.').remove(b'~');

/// One value of a query string, percent-encoded (a space as `%20`, which every reader of URLs takes as a space).
pub fn encode(value: &str) -> String {
    utf8_percent_encode(value, QUERY_VALUE).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_carry_their_filters_encoded_and_leave_out_empty_ones() {
        assert_eq!(href("/admin/users", &[]), "/admin/users");
        assert_eq!(
            href("/admin/users", &[("status", "all"), ("q", ""), ("after", "1_2")]),
            "/admin/users?status=all&after=1_2"
        );
        assert_eq!(href("/a", &[("q", "Pasillo 2/ñ&x=1")]), "/a?q=Pasillo%202%2F%C3%B1%26x%3D1");
        assert_eq!(encode("04465-02220 ñ+~"), "04465-02220%20%C3%B1%2B~");
    }
}
