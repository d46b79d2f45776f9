//! A photo by its hash: from the phone's store, else fetched once from the server and kept.
use leptos::prelude::*;

use crate::app::use_app;
use crate::client::api;
use crate::client::photo::object_url;

/// A photo by its hash: from the phone's store, else fetched once from the server and kept.
#[component]
pub fn StoredPhoto(sha256: String, class: &'static str) -> impl IntoView {
    let app = use_app();
    let src = RwSignal::new(None::<String>);
    let token = app
        .session
        .with_untracked(|s| s.as_ref().map(|s| s.token.clone()));
    leptos::task::spawn_local(async move {
        let Some(store) = app.store() else {
            return;
        };
        let mut bytes = store.photo(&sha256).await.ok().flatten();
        if let (None, Some(token)) = (&bytes, &token) {
            if let Ok(b) = api::get_bytes(&format!("/photos/{sha256}"), Some(token)).await {
                let _ = store.put_photo(&sha256, &b).await;
                bytes = Some(b);
            }
        }
        if let Some(url) = bytes.and_then(|b| object_url(&b)) {
            let _ = src.try_set(Some(url));
        }
    });
    view! {
        {move || src.get().map(|src| view! { <img class=class src=src alt=app.text(|t| t.photo_alt) /> })}
    }
}
