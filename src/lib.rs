//! 随手拍 (Suishoupai): one crate for the phone (wasm32) and the server (native).
pub mod domain;
