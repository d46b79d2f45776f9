//! The admin console's API under `/admin`: check a district file and see what it would change, apply it, export
//! each kind in its import format, onboard people from a CSV, read the audit log. Admins only.
use axum::extract::{Path, State};
use axum::http::{header, StatusCode};
use axum::response::IntoResponse;
use axum::Json;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::users::{import_users, onboarding_sheet, Onboarded};
use super::{audit_log, export_kind, import_kind, AuditEntry, ImportError, Kind};
use crate::domain::api_error::code;
use crate::domain::district::{ImportRequest, ImportResult};
use crate::domain::{ErrorBody, Role};
use crate::server::auth::CurrentUser;
use crate::server::json::ApiJson;
use crate::server::openapi::{BodyRefusals, Forbidden, NotFound, Unauthorized};
use crate::server::{AppState, Error, Result};

/// The largest district file accepted (1,000 grids drawn in detail are a few MB).
pub const MAX_FILE_BYTES: usize = 16 * 1024 * 1024;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(import))
        .routes(routes!(export))
        .routes(routes!(audit))
        .routes(routes!(backups))
        .routes(routes!(onboard))
        .merge(super::people::router())
}

/// People as the console sends them: the users CSV.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OnboardRequest {
    /// `role,name,grid,station,department,phone`.
    pub content: String,
    pub apply: bool,
    /// The app's address, printed on each card.
    #[schema(max_length = 200)]
    pub url: Option<String>,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct OnboardResult {
    pub created: usize,
    pub users: Vec<OnboardedUser>,
    /// The onboarding sheets to print (A4 HTML), when anyone was created.
    pub sheet_html: Option<String>,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct OnboardedUser {
    pub user_id: String,
    pub name: String,
    pub code: String,
}

pub(super) fn admin_only(user: &crate::domain::User) -> Result<()> {
    if user.role == Role::Admin {
        Ok(())
    } else {
        Err(Error::Forbidden)
    }
}

fn refused(e: ImportError) -> Error {
    match e {
        ImportError::Refused(faults) => Error::Protocol {
            status: StatusCode::UNPROCESSABLE_ENTITY,
            code: code::FILE_REFUSED,
            message: "文件有错，没有做任何更改 (the file has faults: nothing was changed)",
            details: Some(serde_json::json!({ "faults": faults })),
        },
        ImportError::Failed(e) => Error::Internal(e),
    }
}

/// Checks a district file and, with `apply`, applies it in one transaction (one audit-log entry). A faulty file
/// changes nothing: `422 file_refused` with every fault in `details.faults`.
#[utoipa::path(post, path = "/admin/imports", tag = "admin", operation_id = "admin_import", security(("bearer" = [])),
    request_body(content = ImportRequest, example = json!({"kind": "departments", "file_name": "departments.csv",
        "content": "code,name\nchengguan,区综合行政执法局（城管）\n", "apply": false})),
    responses(
        (status = 200, description = "What changed, or with `apply: false` what would", body = ImportResult),
        BodyRefusals,
        (status = 403, response = Forbidden),
        (status = 422, description = "The file has faults (`file_refused`, `details.faults`: `[{at, problem}]`); nothing changed",
         body = ErrorBody, example = json!({"error": {"code": "file_refused",
            "message": "文件有错，没有做任何更改 (the file has faults: nothing was changed)",
            "details": {"faults": [{"at": "feature 3 (id \"g-03\")", "problem": "the outer ring is not closed: its last position must repeat its first"}]}}})),
    )
)]
async fn import(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    ApiJson(req): ApiJson<ImportRequest>,
) -> Result<Json<ImportResult>> {
    admin_only(&user)?;
    at_most(200, "file_name", Some(&req.file_name))?;
    let name = req.file_name.clone();
    let changes = import_kind(
        &state.db,
        req.kind,
        req.content.as_bytes(),
        &name,
        &user.id,
        !req.apply,
    )
    .await
    .map_err(refused)?;
    Ok(Json(ImportResult {
        applied: req.apply,
        changes,
    }))
}

/// The grids, stations, departments or categories in service, in their import format (an export imports again as
/// no change).
#[utoipa::path(get, path = "/admin/exports/{kind}", tag = "admin", operation_id = "admin_export", security(("bearer" = [])),
    params(("kind" = Kind, Path, description = "What to export")),
    responses(
        (status = 200, description = "The file: GeoJSON for grids, CSV for the rest", content(
            (Object = "application/geo+json"), (String = "text/csv"))),
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
        (status = 404, response = NotFound),
    )
)]
async fn export(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Path(kind): Path<String>,
) -> Result<impl IntoResponse> {
    admin_only(&user)?;
    // Not one of the four kinds: there is no such export.
    let kind: Kind =
        serde_json::from_value(serde_json::Value::String(kind)).map_err(|_| Error::NotFound)?;
    let bytes = export_kind(&state.db, kind).await?;
    let (media, file) = match kind {
        Kind::Grids => ("application/geo+json", "grids.geojson"),
        _ => ("text/csv; charset=utf-8", ""),
    };
    let file = if file.is_empty() {
        format!("{}.csv", kind.name())
    } else {
        file.to_owned()
    };
    Ok((
        [
            (header::CONTENT_TYPE, media.to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{file}\""),
            ),
        ],
        bytes,
    ))
}

/// The audit log of imports and onboarding, newest first (the last 200).
#[utoipa::path(get, path = "/admin/audit", tag = "admin", operation_id = "admin_audit", security(("bearer" = [])),
    responses(
        (status = 200, description = "Entries: when, who (a user id, `command line` or `--demo`), what, and its summary as JSON text",
         body = Vec<AuditEntry>),
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
    )
)]
async fn audit(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
) -> Result<Json<Vec<AuditEntry>>> {
    admin_only(&user)?;
    Ok(Json(audit_log(&state.db, 200).await?))
}

/// The newest scheduled backup written whole (`serve --backup-dir`): when, which file, its size and SHA-256;
/// `null` before the first.
#[utoipa::path(get, path = "/admin/backups", tag = "admin", operation_id = "admin_backups", security(("bearer" = [])),
    responses(
        (status = 200, description = "The newest good backup, or null", body = Option<crate::server::backup::BackupRecord>),
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
    )
)]
async fn backups(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
) -> Result<Json<Option<crate::server::backup::BackupRecord>>> {
    admin_only(&user)?;
    Ok(Json(crate::server::backup::last_backup(&state.db).await?))
}

/// Onboards people from the users CSV: every row checked first; with `apply`, everyone created with a one-time
/// code (shown only in this answer) and the sheets to print, or nobody (`422 file_refused`).
#[utoipa::path(post, path = "/admin/users/import", tag = "admin", operation_id = "admin_onboard", security(("bearer" = [])),
    request_body(content = OnboardRequest, example = json!({"content": "role,name,grid,station,department,phone\nrider,骑手小李,,,,13900000001\n", "apply": false})),
    responses(
        (status = 200, description = "Created (or, with `apply: false`, the file is fine and nobody was created)", body = OnboardResult),
        BodyRefusals,
        (status = 403, response = Forbidden),
        (status = 422, description = "Rows with faults (`file_refused`, `details.faults`); nobody was created", body = ErrorBody),
    )
)]
async fn onboard(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    ApiJson(req): ApiJson<OnboardRequest>,
) -> Result<Json<OnboardResult>> {
    admin_only(&user)?;
    at_most(200, "url", req.url.as_deref())?;
    let ttl = crate::server::accounts::DEFAULT_CODE_TTL;
    let made: Vec<Onboarded> =
        import_users(&state.db, req.content.as_bytes(), ttl, &user.id, !req.apply)
            .await
            .map_err(refused)?;
    Ok(Json(onboarded(made, req.url.as_deref(), ttl)?))
}

/// `422` naming `field` when `value` is longer than `max` characters (as the document says).
pub(crate) fn at_most(max: usize, field: &str, value: Option<&str>) -> Result<()> {
    match value {
        Some(v) if v.chars().count() > max => Err(Error::Invalid(
            serde_json::json!({ field: format!("至多 {max} 个字符 (at most {max} characters)") }),
        )),
        _ => Ok(()),
    }
}

/// People given codes, with their sheets to print (when there is anyone).
pub(super) fn onboarded(
    made: Vec<Onboarded>,
    url: Option<&str>,
    ttl: std::time::Duration,
) -> anyhow::Result<OnboardResult> {
    let sheet_html = if made.is_empty() {
        None
    } else {
        Some(onboarding_sheet(&made, url, ttl)?)
    };
    Ok(OnboardResult {
        created: made.len(),
        users: made
            .into_iter()
            .map(|m| OnboardedUser {
                user_id: m.user_id,
                name: m.name,
                code: m.code,
            })
            .collect(),
        sheet_html,
    })
}
