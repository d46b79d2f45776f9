//! Security headers: every response says `nosniff` and sends no referrer; the app's shell gets a
//! Content-Security-Policy that allows nothing from other origins (its one inline script, Trunk's wasm loader, is
//! allowed by its hash); API answers may not be framed or run anything.
use axum::extract::Request;
use axum::http::{header, HeaderValue};
use axum::middleware::Next;
use axum::response::Response;
use base64::Engine as _;
use sha2::{Digest, Sha256};

/// For JSON answers and photos: nothing may load, run or frame them.
pub const API_POLICY: &str = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; sandbox";

/// For the API document viewer: its own script, style and the document.
pub const VIEWER_POLICY: &str =
    "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; \
img-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

/// The app's policy. Same origin only: scripts (plus the inline loaders whose hashes are given, and wasm
/// compilation), styles (Leptos sets `style` attributes), images (photos are `blob:` URLs from IndexedDB, QR codes
/// may be `data:`), the API, the service worker and the manifest.
pub fn app_policy(inline_script_hashes: &[String]) -> String {
    let hashes: String = inline_script_hashes
        .iter()
        .map(|h| format!(" 'sha256-{h}'"))
        .collect();
    format!(
        "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'{hashes}; style-src 'self' 'unsafe-inline'; \
         img-src 'self' blob: data:; media-src 'self' blob:; connect-src 'self' blob:; worker-src 'self'; \
         manifest-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    )
}

/// The base64 SHA-256 of every inline `<script>` of an HTML page, as a CSP source expects them.
pub fn inline_script_hashes(html: &str) -> Vec<String> {
    let mut hashes = vec![];
    let mut rest = html;
    while let Some(open) = rest.find("<script") {
        let after = &rest[open..];
        let Some(tag_end) = after.find('>') else {
            break;
        };
        let tag = &after[..tag_end];
        let body = &after[tag_end + 1..];
        let Some(close) = body.find("</script>") else {
            break;
        };
        if !tag.contains(" src=") {
            let digest = Sha256::digest(&body.as_bytes()[..close]);
            hashes.push(base64::engine::general_purpose::STANDARD.encode(digest));
        }
        rest = &body[close..];
    }
    hashes
}

/// The sources a policy lists for one directive (`script-src` …); empty when it has no such directive.
pub fn sources_of<'a>(policy: &'a str, directive: &str) -> Vec<&'a str> {
    policy
        .split(';')
        .map(|d| d.split_whitespace().collect::<Vec<_>>())
        .find(|d| d.first() == Some(&directive))
        .map(|d| d[1..].to_vec())
        .unwrap_or_default()
}

/// Adds `X-Content-Type-Options`, `Referrer-Policy` and, where the handler set none, the API's policy and (for the
/// API) `Cache-Control: no-store`.
pub async fn headers(req: Request, next: Next) -> Response {
    let api = req.uri().path().starts_with(crate::domain::API_BASE);
    let mut res = next.run(req).await;
    let h = res.headers_mut();
    // API answers carry tokens, pass secrets and people's reports: no cache keeps them, unless the handler says
    // otherwise (photos revalidate).
    if api && !h.contains_key(header::CACHE_CONTROL) {
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    if !h.contains_key(header::CONTENT_SECURITY_POLICY) {
        h.insert(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(API_POLICY),
        );
    }
    res
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_inline_scripts_are_hashed() {
        let html = r#"<script type="module">
import init from '/a.js';
</script><script src="/pwa.js"></script><script>x()</script>"#;
        let hashes = inline_script_hashes(html);
        assert_eq!(hashes.len(), 2);
        let expected = base64::engine::general_purpose::STANDARD
            .encode(Sha256::digest(b"\nimport init from '/a.js';\n"));
        assert_eq!(hashes[0], expected);
    }

    #[test]
    fn the_app_policy_allows_no_other_origin() {
        let policy = app_policy(&["abc=".into()]);
        assert!(policy.contains("script-src 'self' 'wasm-unsafe-eval' 'sha256-abc='"));
        for directive in policy.split(';') {
            let sources = directive.split_whitespace().skip(1);
            for source in sources {
                assert!(
                    source.starts_with('\'') || ["blob:", "data:"].contains(&source),
                    "{directive}"
                );
            }
        }
        let scripts = sources_of(&policy, "script-src");
        assert!(
            scripts.contains(&"'self'"),
            "the directive was found: {policy}"
        );
        for forbidden in ["'unsafe-eval'", "'unsafe-inline'"] {
            assert!(!scripts.contains(&forbidden), "{forbidden} in {policy}");
        }
    }
}
