//! A task's attachments: photos and documents people add to a task they can see (the files area checks and keeps
//! each file once by its content), listed with the task, and read back by whoever may read the task.

use crate::caller::Caller;
use crate::codes::ErrorCode;
use crate::db::{self, PgPool, Scope, Tx};
use crate::error::{Error, Result};
use crate::identity::rules::auth::{ApiScope, Permission};
use crate::ids::{TaskId, TenantId, UserId};
use crate::mes::rules::views::Attachment;
use crate::mes::store::attachments as store;
use crate::workflow::machine::Person;

/// The most attachments a task holds.
pub const PER_TASK: i64 = 50;

fn attachment(r: store::AttachmentRow) -> Attachment {
    Attachment {
        id: r.id,
        name: r.name,
        media_type: r.media_type,
        size: i64::from(r.size),
        by: Person { id: UserId(r.uploaded_by), name: r.uploader },
        at: r.uploaded_at,
    }
}

/// A task's attachments, oldest first.
pub(crate) async fn of_task(tx: &mut Tx, tenant: TenantId, task: i64) -> Result<Vec<Attachment>> {
    Ok(store::list(tx, tenant, task, None).await?.into_iter().map(attachment).collect())
}

/// Attaches a file named `name` to task `id` (`mes:write`, a person who works the floor and can see the task): the
/// file checked (size, type by its content, a name that does not lie about it) and kept once by its content.
pub async fn attach(pool: &PgPool, caller: &Caller, id: TaskId, name: &str, bytes: &[u8]) -> Result<Attachment> {
    caller.require(ApiScope::MesWrite)?;
    let user = caller.user()?;
    user.require(Permission::MesWork)?;
    let tenant = user.tenant_id;
    let mut tx = db::begin(pool, Scope::Tenant(tenant)).await?;
    super::tasks::summary_of(&mut tx, tenant, Some(user), id.0).await?;
    if store::count(&mut tx, tenant, id.0).await? >= PER_TASK {
        return Err(Error::field("file", ErrorCode::TooLong));
    }
    let file = crate::files::service::keep(&mut tx, tenant, name, bytes).await?;
    let new = store::NewAttachment {
        task: id.0,
        sha256: &file.sha256,
        name: &file.name,
        media_type: file.media_type,
        size: i32::try_from(bytes.len()).unwrap_or(i32::MAX),
        by: user.user_id,
    };
    let made = store::insert(&mut tx, tenant, &new).await?;
    let a = store::list(&mut tx, tenant, id.0, Some(made)).await?.into_iter().next().ok_or(Error::NotFound)?;
    tx.commit().await?;
    Ok(attachment(a))
}

/// Attachment `n` of task `id`, with its file's bytes (`mes:read`, whoever can see the task).
pub async fn download(pool: &PgPool, caller: &Caller, id: TaskId, n: i64) -> Result<(Attachment, Vec<u8>)> {
    caller.require(ApiScope::MesRead)?;
    let tenant = caller.tenant_id();
    let mut tx = db::begin(pool, Scope::Tenant(tenant)).await?;
    let user = match caller {
        Caller::User(u) => Some(u),
        Caller::Machine(_) => None,
    };
    super::tasks::summary_of(&mut tx, tenant, user, id.0).await?;
    let a = store::list(&mut tx, tenant, id.0, Some(n)).await?.into_iter().next().ok_or(Error::NotFound)?;
    let sha = store::file_of(&mut tx, tenant, id.0, n).await?.ok_or(Error::NotFound)?;
    let (_, bytes) = crate::files::service::read(&mut tx, tenant, &sha).await?;
    tx.commit().await?;
    Ok((attachment(a), bytes))
}
