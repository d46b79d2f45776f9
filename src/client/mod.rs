//! The phone's side of the wire: the IndexedDB store, the API client, enrollment and the reference-data copy.
pub mod api;
pub mod enrollment;
pub mod local;
pub mod location;
pub mod photo;
pub mod reference;
pub mod store;
pub mod sync;

/// The current time as RFC 3339 in UTC, from the phone's clock.
pub fn now_rfc3339() -> String {
    String::from(js_sys::Date::new_0().to_iso_string())
}
