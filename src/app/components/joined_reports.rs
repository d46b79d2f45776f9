//! "另有 37 人上报": the count on a task that others' reports of the same hazard joined, and those reports with their
//! photos, fetched a page at a time only when the worker asks (they are not kept for the list).
use leptos::prelude::*;

use super::StoredPhoto;
use crate::app::format::local_time;
use crate::app::use_app;
use crate::client::api::get_json;
use crate::domain::report::{JoinedPage, JoinedReport};
use crate::i18n::{fill, fill_count};

#[component]
pub fn JoinedReports(report_id: String, count: u32) -> impl IntoView {
    let app = use_app();
    let report_id = StoredValue::new(report_id);
    let shown = RwSignal::new(Vec::<JoinedReport>::new());
    let next = RwSignal::new(None::<String>);
    let opened = RwSignal::new(false);
    let failed = RwSignal::new(false);
    let busy = RwSignal::new(false);
    let load = move |_| {
        if busy.get_untracked() {
            return;
        }
        busy.set(true);
        failed.set(false);
        let cursor = next.get_untracked();
        let id = report_id.get_value();
        let path = match &cursor {
            Some(c) => format!("/reports/{id}/joined?limit=20&cursor={c}"),
            None => format!("/reports/{id}/joined?limit=20"),
        };
        let token = app.token();
        leptos::task::spawn_local(async move {
            match get_json::<JoinedPage>(&path, token.as_deref()).await {
                Ok(page) => {
                    let _ = shown.try_update(|s| s.extend(page.reports));
                    let _ = next.try_set(page.next_cursor);
                    let _ = opened.try_set(true);
                }
                Err(_) => {
                    let _ = failed.try_set(true);
                }
            }
            let _ = busy.try_set(false);
        });
    };
    view! {
        <div class="joined" data-testid="joined">
            <p data-testid="joined-count">{move || fill_count(app.t().task_joined, count as usize, &[])}</p>
            <ul class="plain-list" data-testid="joined-reports">
                <For each=move || shown.get() key=|r| r.id.clone() let:r>
                    <li class="joined-report">
                        <p class="muted">{fill(app.t().joined_by, &[("name", &r.reporter_name), ("time", &local_time(&r.received_at))])}</p>
                        {(!r.description.is_empty()).then(|| view! { <p>{r.description.clone()}</p> })}
                        <div class="thumbs">
                            {r.photos.iter().map(|p| view! { <StoredPhoto sha256=p.clone() class="thumb" /> }).collect_view()}
                        </div>
                    </li>
                </For>
            </ul>
            <Show when=move || !opened.get() || next.with(Option::is_some)>
                <button class="button secondary" data-testid="joined-load" disabled=move || busy.get() on:click=load>
                    {move || if opened.get() { app.t().joined_more } else { app.t().joined_show }}
                </button>
            </Show>
            <Show when=move || failed.get()>
                <p class="notice" role="status">{app.text(|t| t.joined_offline)}</p>
            </Show>
        </div>
    }
}
