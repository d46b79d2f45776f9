//! Serving the PWA that Trunk built: hashed files cached for a year, the shell never cached by the browser
//! (the service worker decides), and app routes falling back to `index.html`. Each file goes out as the build's
//! brotli or gzip copy (`FILE.br`, `FILE.gz`, written by scripts/precompress.mjs) when the browser accepts it, so
//! nothing is compressed on the fly and the phone gets brotli at quality 11.
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{header, HeaderValue, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use tower::ServiceExt;
use tower_http::services::{ServeDir, ServeFile};

use super::{security, AppState, Error};

const NO_CACHE: &str = "no-cache";
const IMMUTABLE: &str = "public, max-age=31536000, immutable";
const SHORT: &str = "public, max-age=3600";

/// Files whose name carries no hash but which must always be revalidated.
const SHELL_FILES: &[&str] = &["index.html", "sw.js", "manifest.webmanifest"];

pub async fn serve(State(state): State<AppState>, req: Request) -> Response {
    let path = req.uri().path().to_owned();
    if path == "/api" || path.starts_with("/api/") {
        return Error::NotFound.into_response();
    }
    if !matches!(*req.method(), Method::GET | Method::HEAD) {
        return Error::MethodNotAllowed.into_response();
    }
    let index = state.dist.join("index.html");
    let is_head = req.method() == Method::HEAD;
    let accept_encoding = req.headers().get(header::ACCEPT_ENCODING).cloned();
    let Ok(mut res) = ServeDir::new(&state.dist)
        .precompressed_br()
        .precompressed_gzip()
        .oneshot(req)
        .await;
    let mut policy = cache_policy(&path);
    if res.status() == StatusCode::NOT_FOUND && is_app_route(&path) {
        let method = if is_head { Method::HEAD } else { Method::GET };
        let mut shell = Request::builder()
            .method(method)
            .uri("/index.html")
            .body(Body::empty())
            .unwrap_or_default();
        if let Some(accepted) = accept_encoding {
            shell
                .headers_mut()
                .insert(header::ACCEPT_ENCODING, accepted);
        }
        let Ok(shell_res) = ServeFile::new(&index)
            .precompressed_br()
            .precompressed_gzip()
            .oneshot(shell)
            .await;
        if shell_res.status() == StatusCode::NOT_FOUND {
            return (
                StatusCode::NOT_FOUND,
                "The app is not built yet: dist/index.html is missing. Run the README's run command.",
            )
                .into_response();
        }
        res = shell_res;
        policy = NO_CACHE;
    }
    let mut res = res.map(Body::new);
    if res.status().is_success() || res.status() == StatusCode::NOT_MODIFIED {
        res.headers_mut()
            .insert(header::CACHE_CONTROL, HeaderValue::from_static(policy));
    }
    // A copy sent as it is: the compression layer leaves it alone, so it does not say the answer depends on
    // Accept-Encoding either (it does for every other compressible answer).
    if res.headers().contains_key(header::CONTENT_ENCODING) {
        res.headers_mut()
            .append(header::VARY, HeaderValue::from_static("accept-encoding"));
    }
    // The app's policy where a policy governs something: the page and the service worker (a script loaded by the
    // page ignores the header), chosen by path so a `304` revalidating the page carries it too (the browser takes
    // the 304's headers for the cached page). Other files are not worth reading index.html again for.
    if is_app_route(&path) || path.ends_with(".html") || path == "/sw.js" {
        let shell = tokio::fs::read_to_string(&index).await.unwrap_or_default();
        let csp = security::app_policy(&security::inline_script_hashes(&shell));
        if let Ok(v) = HeaderValue::from_str(&csp) {
            res.headers_mut().insert(header::CONTENT_SECURITY_POLICY, v);
        }
    }
    res
}

/// An app route is a path whose last segment has no file extension (`/stations`, `/settings`).
fn is_app_route(path: &str) -> bool {
    !path.rsplit('/').next().unwrap_or_default().contains('.')
}

fn cache_policy(path: &str) -> &'static str {
    let name = path.rsplit('/').next().unwrap_or_default();
    if name.is_empty() || SHELL_FILES.contains(&name) {
        NO_CACHE
    } else if has_content_hash(name) {
        IMMUTABLE
    } else {
        SHORT
    }
}

/// Trunk names built files `stem-<hex hash>.ext` (the wasm as `stem-<hash>_bg.wasm`).
fn has_content_hash(name: &str) -> bool {
    let stem = name.split('.').next().unwrap_or_default();
    let stem = stem.strip_suffix("_bg").unwrap_or(stem);
    match stem.rsplit_once('-') {
        Some((_, hash)) => hash.len() >= 16 && hash.bytes().all(|b| b.is_ascii_hexdigit()),
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashed_files_are_immutable_and_the_shell_is_revalidated() {
        assert_eq!(
            cache_policy("/suishoupai-1a2b3c4d5e6f7a8b_bg.wasm"),
            IMMUTABLE
        );
        assert_eq!(cache_policy("/suishoupai-1a2b3c4d5e6f7a8b.js"), IMMUTABLE);
        assert_eq!(cache_policy("/style-00ff00ff00ff00ff.css"), IMMUTABLE);
        assert_eq!(cache_policy("/"), NO_CACHE);
        assert_eq!(cache_policy("/index.html"), NO_CACHE);
        assert_eq!(cache_policy("/sw.js"), NO_CACHE);
        assert_eq!(cache_policy("/manifest.webmanifest"), NO_CACHE);
        assert_eq!(cache_policy("/icon.svg"), SHORT);
        assert_eq!(cache_policy("/my-icon.png"), SHORT);
    }

    #[test]
    fn app_routes_have_no_extension() {
        assert!(is_app_route("/"));
        assert!(is_app_route("/stations"));
        assert!(is_app_route("/reports/abc"));
        assert!(!is_app_route("/missing.js"));
    }
}
