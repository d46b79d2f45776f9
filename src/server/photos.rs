//! Content-addressed photos: `PUT`/`HEAD`/`GET /photos/{sha256}`. A repeat upload is a no-op; the type is
//! read from the bytes; only those who may see a report using the photo, or who uploaded it, may fetch it.
use axum::body::{Body, Bytes};
use axum::extract::{DefaultBodyLimit, Path, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::accounts::unix_now;
use super::auth::CurrentUser;
use super::openapi::{Invalid, Malformed, NotFound, TooLarge, Unauthorized, UnsupportedMediaType};
use super::reports::{visible_sql, Viewer};
use super::secret::sha256_hex;
use super::{AppState, Error, Result};
use crate::domain::report::is_sha256_hex;

pub fn router(max_bytes: usize) -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(upload, exists, download))
        // Room for one byte more than allowed, so "too large" is told apart from a broken connection.
        .layer(DefaultBodyLimit::max(max_bytes + 1))
}

/// The image type the bytes really are.
pub fn sniff(bytes: &[u8]) -> Option<&'static str> {
    if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some("image/jpeg")
    } else if bytes.starts_with(&[0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A]) {
        Some("image/png")
    } else if bytes.len() >= 12 && &bytes[..4] == b"RIFF" && &bytes[8..12] == b"WEBP" {
        Some("image/webp")
    } else {
        None
    }
}

fn check_hash_format(sha256: &str) -> Result<()> {
    if is_sha256_hex(sha256) {
        Ok(())
    } else {
        Err(Error::Invalid(
            serde_json::json!({"sha256": "not a lowercase hex SHA-256"}),
        ))
    }
}

/// Stores a photo under the SHA-256 of its bytes. A repeat is a no-op; the type is checked on the bytes.
#[utoipa::path(put, path = "/photos/{sha256}", tag = "photos", operation_id = "upload_photo", security(("bearer" = [])),
    params(("sha256" = String, Path, description = "Lowercase hex SHA-256 of the body", pattern = "^[0-9a-f]{64}$")),
    request_body(description = "The image bytes (at most 5 MiB unless the server is configured otherwise)",
        content(("image/jpeg"), ("image/png"), ("image/webp"))),
    responses(
        (status = 201, description = "Stored"),
        (status = 200, description = "Already stored: nothing changed"),
        (status = 400, response = Malformed),
        (status = 401, response = Unauthorized),
        (status = 413, response = TooLarge),
        (status = 415, response = UnsupportedMediaType),
        (status = 422, response = Invalid),
    )
)]
async fn upload(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Path(sha256): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<StatusCode> {
    check_hash_format(&sha256)?;
    if body.len() > state.config.max_photo_bytes {
        return Err(Error::TooLarge);
    }
    let declared = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(|v| {
            v.split(';')
                .next()
                .unwrap_or_default()
                .trim()
                .to_ascii_lowercase()
        })
        .unwrap_or_default();
    if !["image/jpeg", "image/png", "image/webp"].contains(&declared.as_str()) {
        return Err(Error::UnsupportedMediaType(format!(
            "{declared:?} is not image/jpeg, image/png or image/webp"
        )));
    }
    let actual = sniff(&body)
        .ok_or_else(|| Error::UnsupportedMediaType("the bytes are not an image".into()))?;
    if actual != declared {
        return Err(Error::UnsupportedMediaType(format!(
            "declared {declared}, but the bytes are {actual}"
        )));
    }
    if sha256_hex(&body) != sha256 {
        return Err(Error::Protocol {
            status: StatusCode::UNPROCESSABLE_ENTITY,
            code: "hash_mismatch",
            message: "照片内容与其哈希不符 (the body's SHA-256 differs from the URL)",
            details: None,
        });
    }
    let (_turn, mut tx) = state.begin_write().await?;
    let stored = sqlx::query(
        "INSERT OR IGNORE INTO photos (sha256, content_type, size, bytes, created_at) VALUES (?, ?, ?, ?, ?)",
    )
    .bind(&sha256)
    .bind(actual)
    .bind(body.len() as i64)
    .bind(body.as_ref())
    .bind(unix_now())
    .execute(&mut *tx)
    .await?
    .rows_affected();
    sqlx::query("INSERT OR IGNORE INTO photo_uploads (sha256, user_id) VALUES (?, ?)")
        .bind(&sha256)
        .bind(&user.id)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(if stored == 1 {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    })
}

/// Whether a photo is stored (the phone skips uploads the server has).
#[utoipa::path(head, path = "/photos/{sha256}", tag = "photos", operation_id = "photo_exists", security(("bearer" = [])),
    params(("sha256" = String, Path, description = "Lowercase hex SHA-256 of the photo", pattern = "^[0-9a-f]{64}$")),
    responses(
        (status = 200, description = "Stored"),
        (status = 400, description = "The URL cannot be read"),
        (status = 401, description = "Missing, invalid or revoked token"),
        (status = 404, description = "Not stored"),
        (status = 422, description = "Not a lowercase hex SHA-256"),
    )
)]
async fn exists(State(state): State<AppState>, Path(sha256): Path<String>) -> Result<StatusCode> {
    check_hash_format(&sha256)?;
    let found: Option<(i64,)> = sqlx::query_as("SELECT 1 FROM photos WHERE sha256 = ?")
        .bind(&sha256)
        .fetch_optional(&state.db)
        .await?;
    found.map(|_| StatusCode::OK).ok_or(Error::NotFound)
}

/// The photo's bytes, to a user who may see a report or task using it, or who uploaded it.
#[utoipa::path(get, path = "/photos/{sha256}", tag = "photos", operation_id = "download_photo", security(("bearer" = [])),
    params(("sha256" = String, Path, description = "Lowercase hex SHA-256 of the photo", pattern = "^[0-9a-f]{64}$")),
    responses(
        (status = 200, description = "The bytes, with the type read from them when stored",
            content(("image/jpeg"), ("image/png"), ("image/webp"))),
        (status = 400, response = Malformed),
        (status = 401, response = Unauthorized),
        (status = 404, response = NotFound),
        (status = 422, response = Invalid),
    )
)]
async fn download(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Path(sha256): Path<String>,
) -> Result<Response> {
    check_hash_format(&sha256)?;
    let viewer = Viewer::of(&user);
    let sql = format!(
        "SELECT p.content_type, p.bytes FROM photos p WHERE p.sha256 = ?1 AND (
            ?2 OR EXISTS (SELECT 1 FROM photo_uploads u WHERE u.sha256 = ?1 AND u.user_id = ?3)
            OR EXISTS (SELECT 1 FROM report_photos rp JOIN reports r ON r.id = rp.report_id
                       WHERE rp.sha256 = ?1 AND {}))",
        visible_sql(2)
    );
    let row: Option<(String, Vec<u8>)> = viewer
        .binds(sqlx::query_as(&sql).bind(&sha256))
        .fetch_optional(&state.db)
        .await?;
    let (content_type, bytes) = row.ok_or(Error::NotFound)?;
    // The type was read from the bytes when stored; the name is only the hash, so neither can be abused.
    let extension = content_type.rsplit('/').next().unwrap_or("bin");
    let disposition = format!("inline; filename=\"{sha256}.{extension}\"");
    Ok((
        [
            (header::CONTENT_TYPE, content_type),
            (header::CONTENT_DISPOSITION, disposition),
            // The bytes of a hash never change; only this user may see them.
            (
                header::CACHE_CONTROL,
                "private, max-age=31536000, immutable".to_owned(),
            ),
        ],
        Body::from(bytes),
    )
        .into_response())
}

#[cfg(test)]
mod tests {
    use super::sniff;

    #[test]
    fn types_are_read_from_the_bytes() {
        assert_eq!(sniff(&[0xFF, 0xD8, 0xFF, 0xE0, 0, 0]), Some("image/jpeg"));
        assert_eq!(sniff(b"\x89PNG\r\n\x1a\n...."), Some("image/png"));
        assert_eq!(sniff(b"RIFF\0\0\0\0WEBPVP8 "), Some("image/webp"));
        assert_eq!(sniff(b"GIF89a"), None);
        assert_eq!(sniff(b"<svg"), None);
        assert_eq!(sniff(&[]), None);
    }
}
