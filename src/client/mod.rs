//! The phone's side of the wire: the IndexedDB store, the API client, enrollment, the reference-data copy, and the
//! installable app (service worker updates, the install offer).
pub mod api;
pub mod enrollment;
pub mod local;
pub mod location;
pub mod photo;
pub mod pwa;
pub mod reference;
pub mod store;
pub mod sync;

/// The phone's clock.
pub fn now() -> time::OffsetDateTime {
    let ms = js_sys::Date::now();
    time::OffsetDateTime::from_unix_timestamp_nanos((ms * 1_000_000.0) as i128)
        .unwrap_or(time::OffsetDateTime::UNIX_EPOCH)
}

/// The phone's clock in whole seconds since the epoch.
pub fn unix_now() -> i64 {
    now().unix_timestamp()
}

/// The phone's clock as the server writes times (RFC 3339, UTC, milliseconds).
pub fn now_rfc3339() -> String {
    crate::domain::timestamp::format_time(now())
}
