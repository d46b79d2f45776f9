//! Content-addressed photos: `PUT`/`HEAD`/`GET /photos/{sha256}`. A repeat upload is a no-op; the type is
//! read from the bytes; only those who may see a report using the photo, or who uploaded it, may fetch it.
use crate::domain::api_error::code;
use crate::server::db::{self};
use axum::body::{Body, Bytes};
use axum::extract::{DefaultBodyLimit, Path, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::accounts::unix_now;
use super::auth::CurrentUser;
use super::openapi::{BodyRefusals, Invalid, Malformed, NotFound, Unauthorized};
use super::reports::{visible_sql, Viewer};
use super::secret::sha256_hex;
use super::{AppState, Error, Result};
use crate::domain::photo::is_sha256_hex;

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

/// The sides a photo may have, in pixels: from a thumbnail to what a 100-megapixel camera makes.
const MIN_SIDE: u32 = 8;
const MAX_SIDE: u32 = 12_000;

/// Whether the bytes decode, whole, as an image of type `content_type` with sane sides: random bytes behind an
/// image's magic number are not a photo. The header is read first, so a claimed giant is refused before decoding.
pub fn decodes_as_photo(bytes: &[u8], content_type: &str) -> std::result::Result<(), String> {
    use image::{ImageFormat, ImageReader, Limits};
    let format = match content_type {
        "image/jpeg" => ImageFormat::Jpeg,
        "image/png" => ImageFormat::Png,
        _ => ImageFormat::WebP,
    };
    let reader = || ImageReader::with_format(std::io::Cursor::new(bytes), format);
    let (w, h) = reader()
        .into_dimensions()
        .map_err(|e| format!("not a readable image: {e}"))?;
    if w.min(h) < MIN_SIDE || w.max(h) > MAX_SIDE {
        return Err(format!("{w}×{h} pixels is not a photo's size"));
    }
    let mut limits = Limits::default();
    limits.max_image_width = Some(MAX_SIDE);
    limits.max_image_height = Some(MAX_SIDE);
    limits.max_alloc = Some(512 << 20);
    let mut decoder = reader();
    decoder.limits(limits);
    decoder
        .decode()
        .map(|_| ())
        .map_err(|e| format!("the image does not decode: {e}"))
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
        BodyRefusals,
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
            code: code::HASH_MISMATCH,
            message: "照片内容与其哈希不符 (the body's SHA-256 differs from the URL)",
            details: None,
        });
    }
    let already: Option<(bool,)> = db::query_as("SELECT TRUE FROM photos WHERE sha256 = ?")
        .bind(&sha256)
        .fetch_optional(&state.db)
        .await?;
    if already.is_none() {
        check_quota(&state, &user.id).await?;
        let bytes = body.clone();
        tokio::task::spawn_blocking(move || decodes_as_photo(&bytes, actual))
            .await
            .map_err(anyhow::Error::from)?
            .map_err(|why| Error::invalid("body", &why))?;
    }
    let (_turn, mut tx) = state.begin_write().await?;
    let stored = db::query(
        "INSERT INTO photos (sha256, content_type, size, bytes, created_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
    )
    .bind(&sha256)
    .bind(actual)
    .bind(body.len() as i64)
    .bind(body.as_ref())
    .bind(unix_now())
    .execute(&mut tx)
    .await?
    .rows_affected();
    db::query("INSERT INTO photo_uploads (sha256, user_id) VALUES (?, ?) ON CONFLICT DO NOTHING")
        .bind(&sha256)
        .bind(&user.id)
        .execute(&mut tx)
        .await?;
    tx.commit().await?;
    Ok(if stored == 1 {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    })
}

/// Photos a user may have stored that no report or task uses yet: a phone uploads a report's (at most 3) photos
/// just before the report, so a full queue stays far below this; an account filling the disk stops here.
pub const MAX_UNUSED_PHOTOS: i64 = 30;
pub const MAX_UNUSED_BYTES: i64 = 60 << 20;
/// How long a photo no report uses is kept: the phone uploads a report's photos just before the report, and one
/// whose photo went meanwhile uploads it again (`photo_missing`).
pub const UNUSED_PHOTO_GRACE_SECS: i64 = 48 * 3600;

async fn check_quota(state: &AppState, user_id: &str) -> Result<()> {
    let (count, bytes): (i64, i64) = db::query_as(
        "SELECT count(*), coalesce(CAST(sum(p.size) AS BIGINT), 0) FROM photo_uploads u JOIN photos p ON p.sha256 = u.sha256
         WHERE u.user_id = ? AND NOT EXISTS (SELECT 1 FROM report_photos rp WHERE rp.sha256 = u.sha256)
           AND NOT EXISTS (SELECT 1 FROM concern_photos cp WHERE cp.sha256 = u.sha256)",
    )
    .bind(user_id)
    .fetch_one(&state.db)
    .await?;
    if count >= MAX_UNUSED_PHOTOS || bytes >= MAX_UNUSED_BYTES {
        return Err(Error::Protocol {
            status: StatusCode::TOO_MANY_REQUESTS,
            code: code::PHOTO_QUOTA,
            message: "未发送的照片过多，请先发送上报 (too many photos not used by any report yet)",
            details: Some(serde_json::json!({"unused_photos": count, "unused_bytes": bytes})),
        });
    }
    Ok(())
}

/// Deletes the photos no report or task uses that were stored more than the grace period ago; returns how many.
pub async fn remove_unused(state: &AppState, now: i64) -> Result<u64> {
    let (_turn, mut tx) = state.begin_write().await?;
    let unused = "SELECT sha256 FROM photos p WHERE p.created_at < ?
                  AND NOT EXISTS (SELECT 1 FROM report_photos rp WHERE rp.sha256 = p.sha256)
                  AND NOT EXISTS (SELECT 1 FROM concern_photos cp WHERE cp.sha256 = p.sha256)";
    db::query(format!(
        "DELETE FROM photo_uploads WHERE sha256 IN ({unused})"
    ))
    .bind(now - UNUSED_PHOTO_GRACE_SECS)
    .execute(&mut tx)
    .await?;
    let removed = db::query(format!("DELETE FROM photos WHERE sha256 IN ({unused})"))
        .bind(now - UNUSED_PHOTO_GRACE_SECS)
        .execute(&mut tx)
        .await?
        .rows_affected();
    tx.commit().await?;
    Ok(removed)
}

/// Whether this user has the photo stored (the phone skips uploads the server has from it). Another user's
/// photo answers `404`, so a hash tells nobody whether someone else photographed the same thing; uploading it
/// again is cheap for a photo the server has (`200`) and makes it this user's too.
#[utoipa::path(head, path = "/photos/{sha256}", tag = "photos", operation_id = "photo_exists", security(("bearer" = [])),
    params(("sha256" = String, Path, description = "Lowercase hex SHA-256 of the photo", pattern = "^[0-9a-f]{64}$")),
    responses(
        (status = 200, description = "Stored"),
        (status = 400, description = "The URL cannot be read"),
        (status = 401, description = "Missing, invalid or revoked token"),
        (status = 404, description = "Not stored, or not uploaded by this user"),
        (status = 422, description = "Not a lowercase hex SHA-256"),
    )
)]
async fn exists(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Path(sha256): Path<String>,
) -> Result<StatusCode> {
    check_hash_format(&sha256)?;
    let found: Option<(bool,)> = db::query_as(
        "SELECT TRUE FROM photos p JOIN photo_uploads u ON u.sha256 = p.sha256 WHERE p.sha256 = ? AND u.user_id = ?",
    )
    .bind(&sha256)
    .bind(&user.id)
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
        (status = 304, description = "Not modified (`If-None-Match` named the photo's ETag)"),
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
    headers: HeaderMap,
) -> Result<Response> {
    check_hash_format(&sha256)?;
    let viewer = Viewer::of(&user);
    let sql = format!(
        "SELECT p.content_type, p.bytes FROM photos p WHERE p.sha256 = ?1 AND (
            ?2 OR EXISTS (SELECT 1 FROM photo_uploads u WHERE u.sha256 = ?1 AND u.user_id = ?3)
            OR EXISTS (SELECT 1 FROM report_photos rp JOIN reports r ON r.id = rp.report_id
                       WHERE rp.sha256 = ?1 AND {})
            OR EXISTS (SELECT 1 FROM concern_photos cp JOIN concerns c ON c.id = cp.concern_id
                       WHERE cp.sha256 = ?1 AND (c.rider_id = ?3 OR c.station_id =
                           (SELECT s.station_id FROM users s WHERE s.id = ?3 AND s.role = 'station_staff'))))",
        visible_sql(2)
    );
    let row: Option<(String, Vec<u8>)> = viewer
        .binds(db::query_as(&sql).bind(&sha256))
        .fetch_optional(&state.db)
        .await?;
    let (content_type, bytes) = row.ok_or(Error::NotFound)?;
    // The bytes of a hash never change, but whether this user may still see them can: a cached copy is checked
    // with the server each time (a revoked phone's cache is no way around the rules), at the cost of a 304.
    let etag = format!("\"{sha256}\"");
    let cache = [
        (header::ETAG, etag.clone()),
        (header::CACHE_CONTROL, "private, no-cache".to_owned()),
    ];
    if headers
        .get(header::IF_NONE_MATCH)
        .is_some_and(|v| v.as_bytes() == etag.as_bytes())
    {
        return Ok((StatusCode::NOT_MODIFIED, cache).into_response());
    }
    // The type was read from the bytes when stored; the name is only the hash, so neither can be abused.
    let extension = content_type.rsplit('/').next().unwrap_or("bin");
    let disposition = format!("inline; filename=\"{sha256}.{extension}\"");
    Ok((
        cache,
        [
            (header::CONTENT_TYPE, content_type),
            (header::CONTENT_DISPOSITION, disposition),
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
