//! The API described for outside clients: the OpenAPI 3.1 document, generated from the handlers' `#[utoipa::path]`
//! annotations and the domain types (never written by hand), served at `GET /api/v1/openapi.json`, and the
//! reusable error responses every operation names.
use axum::body::Bytes;
use axum::http::header;
use axum::response::IntoResponse;
use axum::routing::get;
use axum::{Extension, Router};
use utoipa::openapi::security::{Http, HttpAuthScheme, SecurityScheme};
use utoipa::openapi::OpenApi;
use utoipa::{Modify, ToResponse};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::AppState;
use crate::domain::ErrorBody;

/// The name of the bearer-token security scheme operations refer to.
pub const BEARER: &str = "bearer";

/// The document's fixed parts; the paths and schemas come from the routers.
#[derive(utoipa::OpenApi)]
#[openapi(
    info(
        title = "随手拍 Suishoupai API",
        description = "The sync protocol between the 随手拍 phone app and its server: enrollment, reference data, \
content-addressed photos, idempotent reports (the phone's id is unique forever), task actions of grid workers, \
check-ins at 暖心驿站, and the change feed. Every error has the body `{\"error\": {\"code\", \"message\", \
\"details\"?}}` with a stable snake_case `code`; messages are `中文 (English)`. Bad input never yields a 5xx.",
        license(name = "MIT", identifier = "MIT"),
    ),
    modifiers(&BearerAuth),
    components(responses(
        Malformed,
        Unauthorized,
        Forbidden,
        NotFound,
        TooLarge,
        UnsupportedMediaType,
        Invalid,
        RateLimited,
    )),
    tags(
        (name = "accounts", description = "Enrollment with a one-time code; who am I"),
        (name = "reference", description = "Categories, 暖心驿站 and grids: cacheable, kept offline on the phone"),
        (name = "photos", description = "Content-addressed photos: the URL is the SHA-256 of the bytes"),
        (name = "reports", description = "随手拍 reports, idempotent forever by the phone's id"),
        (name = "tasks", description = "What grid workers do with the reports of their grid"),
        (name = "checkins", description = "Riders' visits at 暖心驿站, confirmed by station staff"),
        (name = "concerns", description = "Riders' own difficulties (困难诉求) and suggestions (金点子), answered by their 暖心驿站"),
        (name = "sync", description = "The change feed the phone pulls"),
        (name = "service", description = "Health and this document"),
        (name = "figures", description = "What the district reads: its reports exported as CSV or XLSX (officials and admins)"),
    )
)]
pub struct ApiDoc;

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        let mut scheme = Http::new(HttpAuthScheme::Bearer);
        scheme.description = Some(
            "The device token from `POST /enroll`: `Authorization: Bearer <64 hex digits>`. Revoked tokens stop \
             working at once."
                .into(),
        );
        components.add_security_scheme(BEARER, SecurityScheme::Http(scheme));
    }
}

/// Every signed-in operation may answer 429: requests per user are limited.
struct RequestLimit;

impl Modify for RequestLimit {
    fn modify(&self, openapi: &mut OpenApi) {
        use utoipa::openapi::{Ref, RefOr};
        for item in openapi.paths.paths.values_mut() {
            for op in [
                &mut item.get,
                &mut item.put,
                &mut item.post,
                &mut item.head,
                &mut item.delete,
                &mut item.patch,
            ]
            .into_iter()
            .flatten()
            {
                if op.security.as_ref().is_some_and(|s| !s.is_empty()) {
                    op.responses
                        .responses
                        .entry("429".into())
                        .or_insert_with(|| RefOr::Ref(Ref::from_response_name("RateLimited")));
                }
            }
        }
    }
}

/// 429: too many requests from this user, or too many failed enrollment attempts from this address.
#[derive(ToResponse)]
#[response(
    description = "Too many requests: wait `Retry-After` seconds (`rate_limited`)",
    headers(("Retry-After" = u64, description = "Seconds to wait")),
    example = json!({"error": {"code": "rate_limited", "message": "请求过于频繁，请 30 秒后再试 (too many requests)"}})
)]
pub struct RateLimited(pub ErrorBody);

/// 400: the body is not JSON, has the wrong types, or the URL cannot be read.
#[derive(ToResponse)]
#[response(
    description = "Malformed request: not JSON, wrong types, or an unreadable URL (`malformed_request`)",
    example = json!({"error": {"code": "malformed_request", "message": "请求格式错误 (malformed request): expected a string"}})
)]
pub struct Malformed(pub ErrorBody);

/// 401: no token, a malformed one, or one unknown or revoked.
#[derive(ToResponse)]
#[response(
    description = "Missing, invalid or revoked token (`unauthorized`)",
    headers(("WWW-Authenticate" = String, description = "`Bearer`")),
    example = json!({"error": {"code": "unauthorized", "message": "未登录或登录已失效，请重新输入登录码 (missing, invalid or revoked token)"}})
)]
pub struct Unauthorized(pub ErrorBody);

/// 403: signed in, but this role or this user may not do that.
#[derive(ToResponse)]
#[response(
    description = "Signed in, but not allowed for this account (`forbidden`)",
    example = json!({"error": {"code": "forbidden", "message": "无权进行此操作 (not allowed for this account)"}})
)]
pub struct Forbidden(pub ErrorBody);

/// 404: no such resource, or one the caller may not know of.
#[derive(ToResponse)]
#[response(
    description = "No such resource, or one the caller may not see (`not_found`)",
    example = json!({"error": {"code": "not_found", "message": "没有这个资源 (no such resource)"}})
)]
pub struct NotFound(pub ErrorBody);

/// 413: the body is larger than allowed.
#[derive(ToResponse)]
#[response(
    description = "Body too large (`too_large`)",
    example = json!({"error": {"code": "too_large", "message": "请求内容过大 (body too large)"}})
)]
pub struct TooLarge(pub ErrorBody);

/// 415: the body's type is not the one the operation takes.
#[derive(ToResponse)]
#[response(
    description = "Unsupported media type (`unsupported_media_type`)",
    example = json!({"error": {"code": "unsupported_media_type", "message": "不支持的内容类型 (unsupported media type): expected Content-Type: application/json"}})
)]
pub struct UnsupportedMediaType(pub ErrorBody);

/// 422: well-formed but invalid, with per-field messages in `details`, or a rule of the protocol with its own code.
#[derive(ToResponse)]
#[response(
    description = "Well-formed but invalid: `invalid_input` with per-field messages in `details`, or a rule with \
its own code (`photo_missing`, `hash_mismatch`, `invalid_pass`, `action_not_allowed`)",
    example = json!({"error": {"code": "invalid_input", "message": "输入有误 (invalid input)", "details": {"category": "unknown category"}}})
)]
pub struct Invalid(pub ErrorBody);

/// The refusals of every operation behind a token that reads a JSON body: 400, 401, 413 and 415 (named in
/// `responses(...)` once instead of four lines each).
pub struct BodyRefusals;

impl utoipa::IntoResponses for BodyRefusals {
    fn responses() -> std::collections::BTreeMap<
        String,
        utoipa::openapi::RefOr<utoipa::openapi::response::Response>,
    > {
        [
            ("400", Malformed::response().0),
            ("401", Unauthorized::response().0),
            ("413", TooLarge::response().0),
            ("415", UnsupportedMediaType::response().0),
        ]
        .into_iter()
        .map(|(status, name)| {
            (
                status.to_owned(),
                utoipa::openapi::Ref::from_response_name(name).into(),
            )
        })
        .collect()
    }
}

/// The finished document: every path under `base` (the API is nested there), as clients call it, and the
/// rules that hold for every operation applied.
pub fn finish(base: &str, mut doc: OpenApi) -> OpenApi {
    let paths = std::mem::take(&mut doc.paths.paths);
    doc.paths.paths = paths
        .into_iter()
        .map(|(path, item)| (format!("{base}{path}"), item))
        .collect();
    RequestLimit.modify(&mut doc);
    doc
}

/// The routes of this document itself.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(openapi_json))
}

/// Where people read the document: a page of our own that renders `openapi.json` in the browser, offline
/// (its script and style are served from here, nothing from other sites).
pub const VIEWER_PATH: &str = "/api-docs";

/// The viewer's three files, built into the binary.
pub fn viewer_router() -> Router<AppState> {
    let file = |content_type: &'static str, body: &'static str| {
        get(move || async move {
            (
                [
                    (header::CONTENT_TYPE, content_type),
                    (header::CACHE_CONTROL, "no-cache"),
                    (
                        header::CONTENT_SECURITY_POLICY,
                        super::security::VIEWER_POLICY,
                    ),
                ],
                body,
            )
        })
    };
    Router::new()
        .route(
            VIEWER_PATH,
            file(
                "text/html; charset=utf-8",
                include_str!("api_docs/index.html"),
            ),
        )
        .route(
            "/api-docs/viewer.js",
            file(
                "text/javascript; charset=utf-8",
                include_str!("api_docs/viewer.js"),
            ),
        )
        .route(
            "/api-docs/viewer.css",
            file(
                "text/css; charset=utf-8",
                include_str!("api_docs/viewer.css"),
            ),
        )
}

/// The document, rendered once when the server starts.
#[derive(Clone)]
pub struct Document(pub Bytes);

impl Document {
    pub fn new(doc: &OpenApi) -> Document {
        Document(Bytes::from(
            doc.to_pretty_json()
                .expect("the OpenAPI document serializes to JSON"),
        ))
    }
}

/// This document: every operation of the API, its bodies, status codes and error bodies.
#[utoipa::path(
    get,
    path = "/openapi.json",
    tag = "service",
    operation_id = "openapi",
    responses(
        (status = 200, description = "The OpenAPI 3.1 document of this API", content_type = "application/json",
         body = Object),
    )
)]
async fn openapi_json(Extension(Document(json)): Extension<Document>) -> impl IntoResponse {
    ([(header::CONTENT_TYPE, "application/json")], json)
}
