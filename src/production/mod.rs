//! Production monitoring: how a plant's lines are doing and where the losses are (OEE, downtime, production), from the
//! units its machines count. Tenant data (each manufacturer its own), under row-level security.
//!
//! # Rules
//!
//! `rules` is pure: `oee.rs` is the one OEE calculation every screen and export uses: a period is its `Totals` (planned
//! and downtime milliseconds, ideal milliseconds of the units made, units, good units); rollups add totals and take
//! ratios once (weighted by time and units, never an average of percentages), a ratio over a zero base is absent,
//! performance over 100 % flagged. `calendar.rs` is the shift calendar in the plant's time zone (`chrono-tz`): a
//! shift's runs (crossing midnight, planned stops, clock changes), planned time inside any span, and how much of a stop
//! falls in planned time. `downtime.rs` judges the gaps between a line's output units by its thresholds (stop,
//! micro-stop, nothing; a gap equal to a threshold is below it) and a stop still going on. `ingest.rs` checks a batch
//! of units as sent (codes of line, area and product against the plant; time not ahead of the clock beyond five minutes
//! nor before the oldest kept) whole, naming the first bad row (position, field, reason). `dashboard/` adds up what a
//! dashboard shows (below); `settings.rs` checks the plant's settings (a planned stop inside its shift and clear of the
//! others; a shift not moved away from its stops).
//!
//! # Tables
//!
//! Migration `20261123000011` holds the plant as data (lines with thresholds and OEE target, areas, products with ideal
//! cycle time, shifts and their stops, downtime reasons, the dashboard's filters, each role's dashboard, the platform's
//! widget catalog), the units (`production_detections`, partitioned by month by `production_partitions`, dropped by
//! `production_drop_partitions`, both run as the owner), batch ids, per-minute rollups, downtime events and the query
//! log, all under row-level security. Migration `20261123000013` adds operators' lines (`production_line_operators`)
//! and the triggers that send `production_changed` (the tenant id) when a batch is stored or a stop changes. Migration
//! `20261126000001` adds the per-hour rollup (`production_hours`), written beside the minutes by the same statement:
//! a dashboard over days reads whole hours there and only the minutes of the hours its windows cut.
//!
//! # Ingest
//!
//! `service/ingest.rs` stores a batch for a `production:ingest` caller in one transaction: its id claimed first (sent
//! again: acknowledged, nothing stored twice; refused: rolled back at once, the id free again), checked whole, then
//! `store/ingest.rs` writes units and their minutes' rollups in one statement (arrays unnested; the rollup an upsert
//! adding counts). Over REST, `POST /api/v1/production/detections` takes JSON (`{batch_id, detections}`, each unit read
//! on its own so a bad one is named by position and field) or CSV (header by name, batch id in the query), answering
//! 201 (stored), 200 (the id was stored before) or 422 (`Error::rejected(BatchProblem)`).
//!
//! # Jobs
//!
//! `service::jobs()` lists the area's jobs. `production_partitions` (hourly, `service/maintenance.rs`) keeps partitions
//! three months ahead and drops months past `NEXUS_PRODUCTION_KEEP_MONTHS` (24). `production_downtime` (every
//! `NEXUS_DOWNTIME_EVERY_SECS`, 60; `service/downtime.rs`; stops unique by line and start) reads each line's output
//! units after its cursor, in order (one query per line, never per unit), lets `rules/downtime.rs` judge the gaps,
//! writes the stops and an open one for a line silent now (closed when it counts again; dropped if a late batch shows
//! it was none). Units that arrive behind the cursor can only change a stop already written: each round asks the line's
//! stops of the last day before its cursor for a unit inside (an index probe each) and judges those again (filled:
//! gone, or, given a reason, ending at the first unit; else ended where the units begin, the gaps between them stops of
//! their own; a stop given a reason whose units now begin just inside it hands its reason to the stop left after them).
//!
//! # OEE and dashboards
//!
//! There is one calculation of figures, `rules/dashboard/` (`figures` over `rules::oee`'s `Totals`), fed by one set of
//! reads (`store/dashboard.rs`) in one place, `service::dashboard::compute`: the page, its CSV and the REST figures
//! are all its answer, so they cannot disagree (a service test and an HTTP test ask the three for one span).
//! `service/oee.rs` gives a span's OEE per line and for the plant (lines' totals added) for machines: `GET
//! /api/v1/production/oee?from&to` (`production:read`, at most 400 days), `compute` over the span for every line and
//! product; the textbook example is a store test on the plant's own data. Each call is written to the query log.
//!
//! `rules/dashboard/` adds up what a dashboard shows: the buckets of a series (minute, hour, the plant's days, shift
//! runs with the gaps between them; widened past 1,500), a range's span (`today`, the current shift, 24 h, 7 and 30
//! days, custom) and one shift's windows, then per line and bucket the planned time (calendar up to now), stops
//! (planned reasons leave planned time, others are downtime where they meet it) and units, shared among products per
//! clock hour by the minutes each made units in (an hour that made nothing as the last that did), so a product's
//! figures are the same in every bucket; lines, buckets and a line's products add up to the whole (proptest); the
//! Pareto of stops (per reason or per line, the widget's `by`) measures the minutes the downtime figure does, its
//! downtime rows adding up to it, stops given a planned reason listed after them, marked.
//!
//! `service/dashboard.rs` gives a person their role's template (`production_dashboards`), the plant's filters
//! (`production_filters`) and choices, and the lines whose stops they classify (managers and owners: all; operators:
//! theirs); the figures of a query (`store/dashboard.rs` reads the output area's rollups per line, product and hour, or
//! minute when buckets need it, inside the windows: one index range per line on the rollups' key; stops from the
//! line/start index), the minutes behind a figure, a stop's classification (audited `production.downtime_classified`)
//! and the CSV of a view; every query goes to the query log. `service/live.rs` is one listener per process
//! (`db::listen`) for `production_changed`, handing changes to `GET /api/v1/production/live` (server-sent events:
//! `ready`, then `changed` at most once a second per plant), beside `GET /api/v1/production/dashboard.csv`; neither is
//! in the OpenAPI document (a stream, a download).
//!
//! # Settings and demo
//!
//! `service/settings.rs` (owners and managers, `plant.configure`) writes lines, products, reasons, shifts and their
//! planned stops (the shift locked meanwhile), the dashboard's filters (shown, order, required, starting value), each
//! role's dashboard (widgets' parameters read as their kind's types, `rules::dashboard::WidgetParams`, which a test
//! holds to the catalog's JSON Schemas) and operators' lines, each audited. `service/demo.rs` configures Planta Demo
//! at a demo start (three lines with four areas each, four products, three shifts with breaks, six reasons, filters,
//! a dashboard per role whose widgets are the catalog's).

pub mod rules;

#[cfg(feature = "ssr")]
pub mod service;
#[cfg(feature = "ssr")]
mod store;

#[cfg(all(test, feature = "ssr"))]
mod tests;
