//! What a notice is: its kind, its values (written by the page in the reader's language), and how a person wants each
//! kind: in the app, also by e-mail, or not at all.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::codes::text_enum;

/// A kind of notice.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// An item fell below its threshold in a department.
    StockLow,
}
text_enum!(Kind "notice kind" { StockLow => "stock_low" });

/// How a person wants a kind of notice.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Channel {
    /// In the app's inbox.
    #[default]
    App,
    /// In the inbox and by e-mail.
    Email,
    /// Not at all.
    Off,
}
text_enum!(Channel "notice channel" { App => "app", Email => "email", Off => "off" });

/// A notice's values, by kind.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Body {
    StockLow {
        sku: String,
        item: String,
        department: String,
        /// The balance and the threshold, in the item's unit (`unit`: its code, `piece`, `kg`…).
        balance: f64,
        threshold: f64,
        unit: String,
        /// Who recorded the movement that crossed it (none: the threshold itself changed).
        by: Option<String>,
    },
}

impl Body {
    pub fn kind(&self) -> Kind {
        match self {
            Body::StockLow { .. } => Kind::StockLow,
        }
    }
}

/// A notice in a person's inbox.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Notice {
    pub id: i64,
    pub body: Body,
    /// Where it leads (a path of the application).
    pub link: String,
    pub at: DateTime<Utc>,
    pub read: bool,
}

/// A person's choice for a kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Preference {
    pub kind: Kind,
    pub channel: Channel,
}
