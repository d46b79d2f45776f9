//! 备份: when the newest scheduled backup was written whole, which file, how large — or that there is none yet.
use leptos::prelude::*;
use serde::Deserialize;

use crate::app::format::local_time;
use crate::app::use_app;
use crate::client::api::get_json;
use crate::i18n::fill;

#[derive(Debug, Clone, PartialEq, Deserialize)]
struct Backup {
    at: String,
    file: String,
    bytes: i64,
}

#[component]
pub fn BackupCard() -> impl IntoView {
    let app = use_app();
    let last = LocalResource::new(move || {
        let token = app.token();
        async move {
            get_json::<Option<Backup>>("/admin/backups", token.as_deref())
                .await
                .ok()
        }
    });
    view! {
        <section class="card" data-testid="backups">
            <h2>{app.text(|t| t.backup_title)}</h2>
            {move || match last.get() {
                None => None,
                Some(None) => Some(view! { <p class="muted">{app.t().backup_unknown}</p> }.into_any()),
                Some(Some(None)) => Some(view! { <p class="muted">{app.t().backup_none}</p> }.into_any()),
                Some(Some(Some(b))) => {
                    let mb = format!("{:.1}", b.bytes as f64 / 1_048_576.0);
                    Some(view! {
                        <p data-testid="backup-last">{fill(app.t().backup_last, &[("time", &local_time(&b.at)), ("mb", &mb)])}</p>
                        <p class="muted data">{b.file}</p>
                    }.into_any())
                }
            }}
        </section>
    }
}
