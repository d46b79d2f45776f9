//! Who is asking. Every protected route passes through [`require_user`], layered once over all of them in
//! `api_router`; handlers take [`CurrentUser`] and never read the header themselves.
use std::net::{IpAddr, Ipv4Addr, SocketAddr};

use axum::extract::{ConnectInfo, FromRequestParts, Request, State};
use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;
use axum::http::HeaderMap;
use axum::middleware::Next;
use axum::response::Response;

use super::{accounts, AppState, Error, Result};
use crate::domain::User;

/// The authenticated user of this request.
#[derive(Debug, Clone)]
pub struct CurrentUser(pub User);

pub async fn require_user(
    State(state): State<AppState>,
    mut req: Request,
    next: Next,
) -> Result<Response> {
    let token = bearer_token(req.headers()).ok_or(Error::Unauthorized)?;
    let user = accounts::user_for_token(&state.db, token)
        .await?
        .ok_or(Error::Unauthorized)?;
    state
        .request_limiter
        .take(&user.id)
        .map_err(|retry_after| Error::RateLimited { retry_after })?;
    req.extensions_mut().insert(CurrentUser(user));
    Ok(next.run(req).await)
}

/// The token of a well-formed `Authorization: Bearer <64 hex>` header.
fn bearer_token(headers: &HeaderMap) -> Option<&str> {
    let value = headers.get(AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.trim().split_once(' ')?;
    let token = token.trim();
    (scheme.eq_ignore_ascii_case("bearer")
        && token.len() == 64
        && token.bytes().all(|b| b.is_ascii_hexdigit()))
    .then_some(token)
}

impl<S: Send + Sync> FromRequestParts<S> for CurrentUser {
    type Rejection = Error;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        parts
            .extensions
            .get::<CurrentUser>()
            .cloned()
            .ok_or(Error::Unauthorized)
    }
}

/// The client's address, for rate limits (unspecified when the server was not given connection info). Behind a
/// reverse proxy every connection comes from the proxy: when the peer is one of the configured trusted proxies, the
/// client is the nearest address in `X-Forwarded-For` that is not itself a trusted proxy.
pub struct ClientAddr(pub IpAddr);

impl FromRequestParts<AppState> for ClientAddr {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let peer = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|ConnectInfo(addr)| addr.ip())
            .unwrap_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED));
        Ok(ClientAddr(client_behind(
            peer,
            parts
                .headers
                .get_all("x-forwarded-for")
                .iter()
                .filter_map(|v| v.to_str().ok()),
            &state.config.trusted_proxies,
        )))
    }
}

/// The client a request came from: `peer`, or — when `peer` is a trusted proxy — the rightmost address of the
/// `X-Forwarded-For` values that no trusted proxy added (what a client writes there itself is not believed).
pub fn client_behind<'a>(
    peer: IpAddr,
    forwarded_for: impl Iterator<Item = &'a str>,
    trusted: &[IpAddr],
) -> IpAddr {
    if !trusted.contains(&peer) {
        return peer;
    }
    let hops: Vec<IpAddr> = forwarded_for
        .flat_map(|v| v.split(','))
        .filter_map(|h| h.trim().parse().ok())
        .collect();
    hops.into_iter()
        .rev()
        .find(|h| !trusted.contains(h))
        .unwrap_or(peer)
}

impl From<accounts::AccountError> for Error {
    fn from(e: accounts::AccountError) -> Self {
        use accounts::AccountError as A;
        match e {
            A::Database(e) => e.into(),
            A::Other(e) => Error::Internal(e),
            A::UnknownUser(_) => Error::NotFound,
            other => Error::Invalid(serde_json::json!({ "account": other.to_string() })),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::IpAddr;

    fn headers(value: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(AUTHORIZATION, value.parse().unwrap());
        h
    }

    #[test]
    fn only_well_formed_bearer_headers_yield_a_token() {
        let token = "ab".repeat(32);
        assert_eq!(
            bearer_token(&headers(&format!("Bearer {token}"))),
            Some(token.as_str())
        );
        assert_eq!(
            bearer_token(&headers(&format!("bearer  {token} "))),
            Some(token.as_str())
        );
        assert_eq!(bearer_token(&headers(&format!("Basic {token}"))), None);
        assert_eq!(bearer_token(&headers("Bearer")), None);
        assert_eq!(bearer_token(&headers("Bearer abc")), None);
        assert_eq!(
            bearer_token(&headers(&format!("Bearer {}", "zz".repeat(32)))),
            None
        );
        assert_eq!(bearer_token(&HeaderMap::new()), None);
    }

    #[test]
    fn the_client_behind_a_trusted_proxy_is_the_nearest_untrusted_hop() {
        let ip = |s: &str| s.parse::<IpAddr>().unwrap();
        let proxy = ip("127.0.0.1");
        let trusted = [proxy];
        assert_eq!(
            client_behind(ip("203.0.113.9"), ["198.51.100.1"].into_iter(), &trusted),
            ip("203.0.113.9"),
            "not a proxy: its own address, whatever it claims"
        );
        assert_eq!(
            client_behind(proxy, ["198.51.100.7"].into_iter(), &trusted),
            ip("198.51.100.7")
        );
        assert_eq!(
            client_behind(proxy, ["6.6.6.6, 198.51.100.7"].into_iter(), &trusted),
            ip("198.51.100.7"),
            "a forged first hop is ignored"
        );
        assert_eq!(client_behind(proxy, [].into_iter(), &trusted), proxy);
        assert_eq!(
            client_behind(proxy, ["garbage"].into_iter(), &trusted),
            proxy
        );
    }
}
