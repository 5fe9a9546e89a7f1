//! An upload as the bodega (or its ERP) sees it between dragging the file in and committing it: how the file was
//! read, its header and first rows (raw cells beside what they mean under the mapping), the mapping and where it came
//! from, the dry run's counts and rejected rows, and how it ended. Pure, serde-shaped values built for the wire: the
//! page and `/api/v1/inventory/uploads` send them as they are (one shape for browser and machine clients).

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::file::{FileProblem, Format};
use super::mapping::Field;
use super::row::{Counts, Problem};
use crate::codes::text_enum;
use crate::ids::UploadId;

/// Rejected rows an upload's view carries (the download has them all).
pub const REJECTS_SHOWN: usize = 100;

/// Where an upload is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum UploadStatus {
    /// Read; waiting for a complete mapping.
    Received,
    /// Dry run done; waiting for the commit.
    Previewed,
    /// Being written.
    Committing,
    Committed,
    /// Refused while it was checked or written, or interrupted (a restart): nothing of it was written.
    Failed,
    /// Abandoned by the bodega before its commit.
    Discarded,
}

text_enum!(UploadStatus "upload status" {
    Received => "received",
    Previewed => "previewed",
    Committing => "committing",
    Committed => "committed",
    Failed => "failed",
    Discarded => "discarded",
});

impl UploadStatus {
    /// Whether the upload may still change (a new mapping, a commit, a discard).
    pub const fn is_open(self) -> bool {
        matches!(self, UploadStatus::Received | UploadStatus::Previewed)
    }
}

/// What the processing of a large file is doing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Phase {
    /// Reading and checking the rows.
    Reading,
    /// Matching them to the catalog and counting.
    Matching,
    /// Writing the inventory.
    Writing,
}

text_enum!(Phase "upload phase" { Reading => "reading", Matching => "matching", Writing => "writing" });

/// How far the processing of an upload has got.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ProgressView {
    pub phase: Phase,
    pub rows_read: u64,
    /// The part of the file read, 0 to 1.
    pub fraction: f32,
}

/// Which column (0-based, in the header row) holds each field.
pub type Mapping = BTreeMap<Field, usize>;

/// Where the mapping in use came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum MappingSource {
    /// Suggested from the header names.
    Suggested,
    /// The bodega's saved mapping for these very headers.
    Saved,
    /// The saved mapping of a similar header row, applied by header name (see `header_change`).
    Adapted,
    /// Chosen for this upload.
    Chosen,
}

text_enum!(MappingSource "mapping source" { Suggested => "suggested", Saved => "saved", Adapted => "adapted", Chosen => "chosen" });

/// How a header row differs from the one its saved mapping was made for.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct HeaderChange {
    /// Headers in this file the saved one did not have.
    pub added: Vec<String>,
    /// Headers of the saved one this file lacks.
    pub removed: Vec<String>,
}

/// A row under the header, as read and as understood.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct PreviewRow {
    /// The row's line (text) or row number (sheet).
    pub line: u64,
    pub cells: Vec<String>,
    /// What the row means under the mapping, or why it is rejected (absent without a complete mapping).
    pub parsed: Option<Parsed>,
}

/// A row's values as understood, or why the rules reject it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(tag = "result", rename_all = "snake_case")]
pub enum Parsed {
    Valid {
        /// The part number's key (what is matched against the catalog).
        key: String,
        price_cents: i64,
        stock: i64,
        location: String,
        min_order_qty: Option<i64>,
    },
    Rejected {
        problem: Problem,
    },
}

/// A rejected row: its line and why (not flattened: a repeat's reason names a line of its own).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Reject {
    pub line: u64,
    pub problem: Problem,
}

/// An earlier committed upload of the same file with the same mapping.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Repeat {
    pub upload_id: UploadId,
    pub committed_at: DateTime<Utc>,
}

/// An upload: the file, how it was read, the mapping, and what it does (the dry run) or did (the commit).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct UploadView {
    pub id: UploadId,
    pub file_name: String,
    pub file_size: u64,
    pub format: Format,
    pub status: UploadStatus,
    /// A workbook's sheets, and the one read.
    pub sheets: Vec<String>,
    pub sheet: Option<String>,
    /// A text file's encoding ("utf-8", "utf-8-bom", "windows-1252", …) and delimiter.
    pub encoding: Option<String>,
    pub delimiter: Option<String>,
    /// The header's line (text) or row number (sheet); detected unless chosen.
    pub header_row: u64,
    pub headers: Vec<String>,
    /// The first rows under the header.
    pub preview: Vec<PreviewRow>,
    pub mapping: Mapping,
    pub mapping_source: MappingSource,
    /// With an adapted mapping: how the headers differ from the saved ones.
    pub header_change: Option<HeaderChange>,
    /// Required fields the mapping lacks (the dry run waits for them).
    pub missing_fields: Vec<Field>,
    pub replace_location: bool,
    /// The dry run's counts (or the commit's, once committed).
    pub counts: Option<Counts>,
    /// The first [`REJECTS_SHOWN`] rejected rows.
    pub rejects: Vec<Reject>,
    /// Why the upload failed, when it did.
    pub problem: Option<FileProblem>,
    /// The same file with the same mapping was committed before.
    pub repeat_of: Option<Repeat>,
    pub created_by: Option<String>,
    pub created_at: DateTime<Utc>,
    pub finished_at: Option<DateTime<Utc>>,
    pub duration_ms: Option<i64>,
}

/// An upload in the history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct UploadSummary {
    pub id: UploadId,
    pub file_name: String,
    pub format: Format,
    pub status: UploadStatus,
    /// Who: a person's name, or an API key's.
    pub created_by: Option<String>,
    pub created_at: DateTime<Utc>,
    pub finished_at: Option<DateTime<Utc>>,
    pub duration_ms: Option<i64>,
    pub counts: Option<Counts>,
    pub problem: Option<FileProblem>,
}

/// What is done to an upload's file between steps: which sheet, which header row, which mapping.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ReadChoice {
    /// The sheet to read (a workbook's first sheet otherwise).
    pub sheet: Option<String>,
    /// The header's line or row number (detected otherwise).
    pub header_row: Option<u64>,
    /// The columns of each field (the saved or suggested mapping otherwise).
    pub mapping: Option<Mapping>,
}

/// The fields a mapping still lacks (in field order).
pub fn missing_fields(mapping: &Mapping) -> Vec<Field> {
    Field::ALL.into_iter().filter(|f| f.required() && !mapping.contains_key(f)).collect()
}

/// Checks a chosen mapping against the header row: every column must exist and serve one field.
pub fn check_mapping(mapping: &Mapping, columns: usize) -> Result<(), FileProblem> {
    let mut used = std::collections::BTreeSet::new();
    for (field, column) in mapping {
        if *column >= columns || !used.insert(*column) {
            return Err(FileProblem::Mapping { field: field.as_str().to_owned() });
        }
    }
    Ok(())
}

/// A saved mapping carried over to a header row that changed: each field goes to the column with the same folded
/// header name, if there still is one.
pub fn adapt_mapping(saved_headers: &[String], saved: &Mapping, headers: &[String]) -> Mapping {
    let folded: Vec<String> = headers.iter().map(|h| super::mapping::fold(h)).collect();
    saved
        .iter()
        .filter_map(|(field, column)| {
            let name = super::mapping::fold(saved_headers.get(*column)?);
            let at = folded.iter().position(|h| !h.is_empty() && *h == name)?;
            Some((*field, at))
        })
        .collect()
}

/// How alike two header rows are, from 0 to 1 (shared folded names over all names): a saved mapping is adapted to a
/// new header row only when they are alike enough ([`ALIKE_AT`]).
pub fn likeness(a: &[String], b: &[String]) -> f64 {
    let fa: std::collections::BTreeSet<String> =
        a.iter().map(|h| super::mapping::fold(h)).filter(|h| !h.is_empty()).collect();
    let fb: std::collections::BTreeSet<String> =
        b.iter().map(|h| super::mapping::fold(h)).filter(|h| !h.is_empty()).collect();
    let all = fa.union(&fb).count();
    if all == 0 { 0.0 } else { fa.intersection(&fb).count() as f64 / all as f64 }
}

/// Header rows at least this alike share a saved mapping.
pub const ALIKE_AT: f64 = 0.5;

#[cfg(test)]
mod tests {
    use super::*;

    fn h(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn a_mapping_is_checked_against_the_header_row() {
        let m: Mapping = [(Field::PartNumber, 0), (Field::Price, 2), (Field::Stock, 1)].into();
        assert_eq!(check_mapping(&m, 3), Ok(()));
        assert_eq!(check_mapping(&m, 2), Err(FileProblem::Mapping { field: "price".into() }));
        let twice: Mapping = [(Field::PartNumber, 0), (Field::Price, 0)].into();
        assert!(check_mapping(&twice, 3).is_err());
        assert_eq!(missing_fields(&[(Field::PartNumber, 0)].into()), [Field::Price, Field::Stock]);
        assert_eq!(missing_fields(&m), []);
    }

    #[test]
    fn a_saved_mapping_follows_its_headers_to_their_new_columns() {
        let saved_headers = h(&["Clave", "Precio", "Existencia"]);
        let saved: Mapping = [(Field::PartNumber, 0), (Field::Price, 1), (Field::Stock, 2)].into();
        let now = h(&["Marca", "CLAVE", "Existencia", "Ubicación"]);
        assert_eq!(adapt_mapping(&saved_headers, &saved, &now), [(Field::PartNumber, 1), (Field::Stock, 2)].into());
        assert!((likeness(&saved_headers, &now) - 2.0 / 5.0).abs() < 1e-9);
        assert_eq!(likeness(&saved_headers, &saved_headers), 1.0);
        assert_eq!(likeness(&[], &[]), 0.0);
    }

    #[test]
    fn a_view_with_every_kind_of_reject_survives_the_wire() {
        // A repeat's reason names a line of its own: flattened into the reject, it collided with the reject's.
        let rejects = vec![
            Reject { line: 4, problem: Problem::Duplicate { line: 10 } },
            Reject { line: 6, problem: Problem::UnknownPart { number: "99999".into() } },
            Reject { line: 8, problem: Problem::NotANumber { field: Field::Price, value: "N/A".into() } },
        ];
        let preview = vec![
            PreviewRow {
                line: 4,
                cells: vec!["a".into()],
                parsed: Some(Parsed::Rejected { problem: Problem::Duplicate { line: 10 } }),
            },
            PreviewRow {
                line: 5,
                cells: vec![],
                parsed: Some(Parsed::Valid {
                    key: "A1".into(),
                    price_cents: 1,
                    stock: 2,
                    location: String::new(),
                    min_order_qty: None,
                }),
            },
        ];
        let json = serde_json::to_string(&(rejects.clone(), preview.clone())).unwrap();
        let back: (Vec<Reject>, Vec<PreviewRow>) = serde_json::from_str(&json).unwrap();
        assert_eq!(back, (rejects, preview));
    }

    #[test]
    fn statuses_read_back() {
        for s in UploadStatus::ALL {
            assert_eq!(UploadStatus::parse(s.as_str()), Some(s));
        }
        assert!(UploadStatus::Previewed.is_open() && !UploadStatus::Committed.is_open());
    }
}
