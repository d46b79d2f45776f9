//! 随手拍 (Suishoupai): one crate for the phone (wasm32) and the server (native).
//! `domain` compiles on both; `app` and `client` only for the phone; `server` only natively.
pub mod domain;
pub mod i18n;

#[cfg(target_arch = "wasm32")]
pub mod app;
#[cfg(target_arch = "wasm32")]
pub mod client;

#[cfg(not(target_arch = "wasm32"))]
pub mod server;
