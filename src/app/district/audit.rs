//! The audit log: every import and onboarding, who and when, what it changed.
use leptos::prelude::*;
use serde::Deserialize;

use crate::app::format::local_time;
use crate::app::use_app;
use crate::client::api::get_json;
use crate::i18n::{fill, Texts};

#[derive(Debug, Clone, PartialEq, Deserialize)]
struct Entry {
    at: String,
    actor_name: String,
    action: String,
    summary: String,
}

/// The summary in a line: the counts of what was added, updated and retired, or of people made.
fn summary_line(summary: &str) -> String {
    let Ok(v) = serde_json::from_str::<serde_json::Value>(summary) else {
        return summary.to_owned();
    };
    let count = |k: &str| v.get(k).and_then(|x| x.as_array()).map(|a| a.len());
    match (
        count("added"),
        count("updated"),
        count("retired"),
        v.get("created").or(v.get("codes")),
    ) {
        (Some(a), Some(u), Some(r), _) => format!("+{a} ~{u} −{r}"),
        (_, _, _, Some(n)) => format!("{n}"),
        _ => summary.to_owned(),
    }
}

/// What was done, in the interface language.
fn action_name(t: &Texts, action: &str) -> String {
    let what = match action {
        "import grids" => t.kind_grids,
        "import stations" => t.kind_stations,
        "import departments" => t.kind_departments,
        "import categories" => t.kind_categories,
        "import users" => t.kind_users,
        "reissue codes" => return t.audit_reissue.to_owned(),
        other => return other.to_owned(),
    };
    fill(t.audit_import, &[("what", what)])
}

#[component]
pub fn AuditLog(applied: RwSignal<u32>) -> impl IntoView {
    let app = use_app();
    let entries = LocalResource::new(move || {
        applied.track();
        let token = app.token();
        async move {
            get_json::<Vec<Entry>>("/admin/audit", token.as_deref())
                .await
                .ok()
        }
    });
    let rows = move || entries.get().flatten().unwrap_or_default();
    view! {
        <section class="card" data-testid="audit-log">
            <h2>{app.text(|t| t.audit_title)}</h2>
            <Show when=move || !rows().is_empty() fallback=move || view! { <p class="muted">{app.t().audit_empty}</p> }>
                <ul class="plain-list audit-list">
                    {move || rows().into_iter().take(20).map(|e| {
                        let actor = if e.actor_name == "command line" { app.t().audit_by_command_line.to_owned() } else { e.actor_name.clone() };
                        view! {
                            <li><span class="muted">{local_time(&e.at)}</span>" "<strong>{action_name(app.t(), &e.action)}</strong>" "{summary_line(&e.summary)}" · "<span class="muted data">{actor}</span></li>
                        }
                    }).collect_view()}
                </ul>
            </Show>
        </section>
    }
}
