//! Typed ids for what the areas point at across their borders, so one kind of id cannot be passed where another is
//! meant (an aftermarket product's id where a catalog part's is, a line's where a product's is) once the stock room,
//! MES and fabrication join the catalog's, inventory's and production's rows. Pure (no IO; builds for the browser):
//! each id is its number on the wire (`#[serde(transparent)]`) and in the OpenAPI document, and reads from a path or a
//! form only as a positive number written in digits (anything else is the caller's input error, never a default).
//!
//! Rows keyed by a UUID have theirs as [`uuid_id!`] types: the UUID on the wire, read from a path only as a UUID.
//!
//! In the server build each is also its column's SQL type (`sqlx(transparent)`): a store that builds a public type
//! reads it typed (`select id as "id: LineId"`); services wrap the plain columns of a store's own rows; queries bind
//! `.0`.

use serde::{Deserialize, Serialize};

/// Declares an integer id type: `id!(/// doc, PartId(i64));`.
macro_rules! id {
    ($(#[$doc:meta])* $name:ident($inner:ty)) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        #[cfg_attr(feature = "ssr", derive(utoipa::ToSchema, sqlx::Type), sqlx(transparent))]
        #[serde(transparent)]
        pub struct $name(pub $inner);

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                self.0.fmt(f)
            }
        }

        impl std::str::FromStr for $name {
            type Err = crate::codes::ErrorCode;

            /// Digits only, at least 1 (no sign, no spaces, no leading `+`).
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                let bad = crate::codes::ErrorCode::InvalidInput;
                if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
                    return Err(bad);
                }
                s.parse::<$inner>().ok().filter(|n| *n > 0).map($name).ok_or(bad)
            }
        }
    };
}

/// Declares a UUID id type: `uuid_id!(/// doc, UploadId);`.
macro_rules! uuid_id {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        #[cfg_attr(feature = "ssr", derive(utoipa::ToSchema, sqlx::Type), sqlx(transparent))]
        #[serde(transparent)]
        pub struct $name(pub uuid::Uuid);

        impl $name {
            /// A new random id (UUID version 4).
            pub fn new_v4() -> Self {
                $name(uuid::Uuid::new_v4())
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                self.0.fmt(f)
            }
        }

        /// A list of these rows newest first pages by `<microseconds>_<uuid>`, as [`At`](crate::paging::At) of a UUID.
        impl crate::paging::Cursor for crate::paging::At<$name> {
            type Order = ();
            const PATTERN: &'static str = <crate::paging::At<uuid::Uuid> as crate::paging::Cursor>::PATTERN;

            fn encode(&self) -> String {
                crate::paging::Cursor::encode(&crate::paging::At::new(self.at, self.id.0))
            }

            fn decode(raw: &str, order: ()) -> Option<Self> {
                <crate::paging::At<uuid::Uuid> as crate::paging::Cursor>::decode(raw, order)
                    .map(|a| crate::paging::At::new(a.at, $name(a.id)))
            }
        }

        impl std::str::FromStr for $name {
            type Err = crate::codes::ErrorCode;

            /// A UUID in any of its usual spellings (hyphenated, simple, braced, URN).
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                uuid::Uuid::parse_str(s).map($name).map_err(|_| crate::codes::ErrorCode::InvalidInput)
            }
        }
    };
}

id!(
    /// An OEM part of the catalog (`catalog_parts`).
    PartId(i64)
);
id!(
    /// An aftermarket product of the catalog (`catalog_aftermarket`), which replaces an OEM part.
    AftermarketId(i64)
);
id!(
    /// A production line of a plant (`production_lines`).
    LineId(i32)
);
id!(
    /// A product a plant makes (`production_products`).
    ProductId(i32)
);
id!(
    /// A work area of a line, where units are counted (`production_areas`).
    AreaId(i32)
);
id!(
    /// A shift of a plant's week (`production_shifts`).
    ShiftId(i32)
);
id!(
    /// A planned stop inside a shift, a break or a meeting (`production_shift_stops`).
    PlannedStopId(i32)
);
id!(
    /// A downtime reason of a plant (`production_reasons`).
    ReasonId(i32)
);
id!(
    /// An item of a stock room (`stockroom_items`).
    ItemId(i64)
);
id!(
    /// A department of a stock room, which holds stock (`stockroom_departments`).
    DepartmentId(i32)
);
id!(
    /// A category of a stock room's items, a node of their tree (`stockroom_categories`).
    CategoryId(i32)
);
id!(
    /// A posting: one or more movements written at once under an idempotency key (`stockroom_posts`).
    PostId(i64)
);
id!(
    /// A movement of the stock ledger (`stockroom_movements`).
    MovementId(i64)
);
id!(
    /// A low-stock alert (`stockroom_alerts`).
    AlertId(i64)
);
id!(
    /// A stocktake of a department (`stockroom_counts`).
    StocktakeId(i64)
);
id!(
    /// A task of the floor (`mes_tasks`).
    TaskId(i64)
);
id!(
    /// A category tasks are filed under (`mes_task_categories`).
    TaskCategoryId(i32)
);
id!(
    /// A comment on a task (`mes_task_comments`).
    CommentId(i64)
);
id!(
    /// A stage production orders go through: machining, fitting, inspection… (`mes_stages`).
    StageId(i32)
);
id!(
    /// A production order (`mes_orders`).
    OrderId(i64)
);
id!(
    /// A stage fact recorded against a production order (`mes_facts`).
    FactId(i64)
);
id!(
    /// What scrap is put down to (`mes_scrap_reasons`).
    ScrapReasonId(i32)
);
id!(
    /// A part the shop makes for itself (`fabrication_parts`; not the catalog's [`PartId`]).
    FabPartId(i64)
);
id!(
    /// What a shop files its parts under: drive, chassis, fixtures… (`fabrication_subsystems`).
    SubsystemId(i32)
);
uuid_id!(
    /// A bodega's upload of an inventory file (`inventory_uploads`).
    UploadId
);
uuid_id!(
    /// A tenant: a bodega, a workshop, a plant, or the platform itself (`tenants`).
    TenantId
);
uuid_id!(
    /// A person's account (`users`).
    UserId
);
uuid_id!(
    /// An invitation into an organisation (`invitations`).
    InvitationId
);

#[cfg(test)]
mod tests {
    use super::*;
    use crate::codes::ErrorCode;

    #[test]
    fn ids_read_only_as_positive_digits_and_travel_as_numbers() {
        assert_eq!("42".parse::<PartId>(), Ok(PartId(42)));
        assert_eq!(i64::MAX.to_string().parse::<PartId>(), Ok(PartId(i64::MAX)));
        for bad in ["", "0", "-1", "+1", " 1", "1 ", "1.0", "x", "99999999999999999999"] {
            assert_eq!(bad.parse::<PartId>(), Err(ErrorCode::InvalidInput), "{bad:?}");
        }
        assert_eq!(serde_json::to_string(&PartId(7)).unwrap(), "7");
        assert_eq!(serde_json::from_str::<AftermarketId>("7").unwrap(), AftermarketId(7));
        assert_eq!(PartId(40211).to_string(), "40211");
        assert_eq!("3".parse::<LineId>(), Ok(LineId(3)));
        assert_eq!("2147483648".parse::<LineId>(), Err(ErrorCode::InvalidInput), "beyond an i32");
        assert_eq!(serde_json::from_str::<Option<ShiftId>>("null").unwrap(), None);
    }

    #[test]
    fn uuid_ids_read_only_as_uuids_and_travel_as_their_text() {
        let text = "67e55044-10b1-426f-9247-bb680e5fe0c8";
        let id: UploadId = text.parse().unwrap();
        assert_eq!(id.to_string(), text);
        assert_eq!(serde_json::to_string(&id).unwrap(), format!("\"{text}\""));
        assert_eq!(serde_json::from_str::<UploadId>(&format!("\"{text}\"")).unwrap(), id);
        for bad in ["", "1", "x", "67e55044-10b1-426f-9247-bb680e5fe0c", "67e55044-10b1-426f-9247-bb680e5fe0c8 "] {
            assert_eq!(bad.parse::<UploadId>(), Err(ErrorCode::InvalidInput), "{bad:?}");
        }
        assert!(serde_json::from_str::<UploadId>("7").is_err());
    }
}
