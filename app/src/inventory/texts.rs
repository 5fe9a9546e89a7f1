//! The inventory's words in the user's language: fields, statuses, phases, and every reason a file or a row is
//! refused (shared by the pages and the rejected-rows download).

use nexus::inventory::rules::file::{FileProblem, MAX_CELL_CHARS};
use nexus::inventory::rules::mapping::Field;
use nexus::inventory::rules::row::Problem;
use nexus::inventory::rules::upload::{Phase, UploadStatus};

use crate::i18n::*;
use crate::ui::number::count;

pub fn field(l: Locale, f: Field) -> &'static str {
    match f {
        Field::PartNumber => td_string!(l, upload.f_part_number),
        Field::Price => td_string!(l, upload.f_price),
        Field::Stock => td_string!(l, upload.f_stock),
        Field::Location => td_string!(l, upload.f_location),
        Field::MinOrderQty => td_string!(l, upload.f_min_order_qty),
    }
}

pub fn status(l: Locale, s: UploadStatus) -> &'static str {
    match s {
        UploadStatus::Received => td_string!(l, upload.s_received),
        UploadStatus::Previewed => td_string!(l, upload.s_previewed),
        UploadStatus::Committing => td_string!(l, upload.s_committing),
        UploadStatus::Committed => td_string!(l, upload.s_committed),
        UploadStatus::Failed => td_string!(l, upload.s_failed),
        UploadStatus::Discarded => td_string!(l, upload.s_discarded),
    }
}

pub fn phase(l: Locale, p: Phase) -> &'static str {
    match p {
        Phase::Reading => td_string!(l, upload.reading),
        Phase::Matching => td_string!(l, upload.matching),
        Phase::Writing => td_string!(l, upload.writing),
    }
}

fn mb(bytes: u64) -> u64 {
    bytes / (1024 * 1024)
}

/// Why a whole file was refused.
pub fn file_problem(l: Locale, p: &FileProblem) -> String {
    match p {
        FileProblem::Empty => td_string!(l, upload.p_empty).to_owned(),
        FileProblem::UnsupportedType { looks_like } => {
            td_string!(l, upload.p_unsupported_type, what = looks_like.clone()).to_string()
        }
        FileProblem::Corrupt => td_string!(l, upload.p_corrupt).to_owned(),
        FileProblem::TooLarge { limit_bytes } => td_string!(l, upload.p_too_large, mb = mb(*limit_bytes)).to_string(),
        FileProblem::UnpacksTooLarge { limit_bytes } => {
            td_string!(l, upload.p_unpacks_too_large, mb = mb(*limit_bytes)).to_string()
        }
        FileProblem::TooManyRows { limit } => td_string!(l, upload.p_too_many_rows, limit = *limit).to_string(),
        FileProblem::CellTooLong { line, column } => td_string!(
            l,
            upload.p_cell_too_long,
            line = *line,
            column = *column,
            limit = count(l, MAX_CELL_CHARS as i64)
        )
        .to_string(),
        FileProblem::Malformed { line } => td_string!(l, upload.p_malformed, line = *line).to_string(),
        FileProblem::NoSuchSheet { sheet } => td_string!(l, upload.p_no_such_sheet, sheet = sheet.clone()).to_string(),
        FileProblem::NoSuchHeaderRow { row } => td_string!(l, upload.p_no_such_header_row, row = *row).to_string(),
        FileProblem::Mapping { field: f } => {
            let name = Field::parse(f).map_or_else(|| f.clone(), |f| field(l, f).to_owned());
            td_string!(l, upload.p_mapping, field = name).to_string()
        }
        FileProblem::Interrupted => td_string!(l, upload.p_interrupted).to_owned(),
    }
}

/// Why a row was rejected.
pub fn row_problem(l: Locale, p: &Problem) -> String {
    match p {
        Problem::Missing { field: f } => td_string!(l, upload.r_missing, field = field(l, *f)).to_string(),
        Problem::InvalidPartNumber => td_string!(l, upload.r_invalid_part_number).to_owned(),
        Problem::NotANumber { field: f, value } => {
            td_string!(l, upload.r_not_a_number, field = field(l, *f), value = value.clone()).to_string()
        }
        Problem::TooLarge { field: f } => td_string!(l, upload.r_too_large, field = field(l, *f)).to_string(),
        Problem::NegativePrice => td_string!(l, upload.r_negative_price).to_owned(),
        Problem::NegativeStock => td_string!(l, upload.r_negative_stock).to_owned(),
        Problem::NotWhole { field: f } => td_string!(l, upload.r_not_whole, field = field(l, *f)).to_string(),
        Problem::LocationTooLong => td_string!(l, upload.r_location_too_long).to_owned(),
        Problem::UnknownPart { number } => td_string!(l, upload.r_unknown_part, number = number.clone()).to_string(),
        // The preview knows a number is shared before the dry run names the brands.
        Problem::AmbiguousPart { number, brands } if brands.is_empty() => {
            td_string!(l, upload.r_ambiguous_part_unnamed, number = number.clone()).to_string()
        }
        Problem::AmbiguousPart { number, brands } => {
            td_string!(l, upload.r_ambiguous_part, number = number.clone(), brands = brands.clone()).to_string()
        }
        Problem::Duplicate { line } => td_string!(l, upload.r_duplicate, line = *line).to_string(),
    }
}

/// An upload's rejected rows as CSV, with the titles and reasons in `locale` (the page's download and REST).
#[cfg(feature = "ssr")]
pub async fn rejects_csv(
    pool: &nexus::db::PgPool,
    caller: &nexus::caller::Caller,
    id: nexus::ids::UploadId,
    locale: Locale,
) -> Result<Vec<u8>, nexus::Error> {
    nexus::inventory::service::uploads::rejects_csv(
        pool,
        caller,
        id,
        td_string!(locale, upload.line),
        td_string!(locale, upload.reason),
        |p| row_problem(locale, p),
    )
    .await
}
