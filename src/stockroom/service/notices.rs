//! What the stock room tells people through the notification centre: an item fell below its threshold.

use uuid::Uuid;

use crate::db::Tx;
use crate::error::Result;
use crate::ids::{TenantId, UserId};
use crate::notify::rules::Body;
use crate::stockroom::rules::views::Alert;

/// Tells a department's recipients that an alert opened (in the transaction of the movement that opened it).
pub(super) async fn low_stock(tx: &mut Tx, tenant: TenantId, a: &Alert, recipients: &[Uuid]) -> Result<u64> {
    let body = Body::StockLow {
        sku: a.sku.clone(),
        item: a.item_name.clone(),
        department: a.department_name.clone(),
        balance: a.balance_then.to_units_f64(),
        threshold: a.threshold.to_units_f64(),
        unit: a.unit.as_str().to_owned(),
        by: a.opened_by_author.clone(),
    };
    let to: Vec<UserId> = recipients.iter().copied().map(UserId).collect();
    crate::notify::service::send(tx, tenant, &to, &body, &format!("/stock/alerts?alert={}", a.id)).await
}
