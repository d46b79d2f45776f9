//! 部门联处 · 提级研处: the district's queue of escalated tasks. Level-3 tasks wait for the district's decision
//! (a note, a department to call, a new deadline), taken here and written into the task's timeline; level-2 tasks
//! show which department was called and whether it answered (报到) in time. Below them, the resolved tasks whose
//! reporter was unsatisfied a second time (no second reopening: the district looks at them).
use leptos::prelude::*;

use crate::app::format::{
    category_label, level_name, local_input_to_rfc3339, local_time, status_name, CallStatus,
};
use crate::app::{use_app, AppContext};
use crate::client::api::{get_json, put_json};
use crate::domain::task::{ActionKind, Escalations, TaskAction};
use crate::domain::Report;
use crate::i18n::{fill, server_message};

/// The grid's name, as the phone keeps the district's grids.
fn grid_name(app: AppContext, id: Option<&str>) -> String {
    app.reference.with(|r| {
        r.grids
            .iter()
            .find(|g| Some(g.id.as_str()) == id)
            .map_or_else(|| id.unwrap_or("—").to_owned(), |g| g.name.clone())
    })
}

#[component]
pub fn EscalationsCard() -> impl IntoView {
    let app = use_app();
    let changed = RwSignal::new(0u32);
    let list = LocalResource::new(move || {
        changed.track();
        let token = app.token();
        async move {
            get_json::<Escalations>("/escalations", token.as_deref())
                .await
                .ok()
        }
    });
    let tasks = move || list.get().flatten().unwrap_or_default();
    view! {
        <section class="card" data-testid="escalations">
            <h2>{app.text(|t| t.escalations_title)}</h2>
            <p class="muted">{app.text(|t| t.escalations_intro)}</p>
            <Show when=move || !tasks().tasks.is_empty() fallback=move || view! { <p class="muted">{app.text(|t| t.escalations_empty)}</p> }>
                <p class="muted" data-testid="escalations-count">{move || fill(app.t().escalations_count, &[("n", &tasks().total.to_string())])}</p>
                <ul class="plain-list escalation-list">
                    <For each=move || tasks().tasks key=|t| (t.id.clone(), t.version) let:task>
                        <EscalatedTask task=task changed=changed />
                    </For>
                </ul>
            </Show>
            <Show when=move || !tasks().disputed.is_empty()>
                <h3>{app.text(|t| t.escalations_disputed_title)}</h3>
                <p class="muted">{app.text(|t| t.escalations_disputed_intro)}</p>
                <ul class="plain-list escalation-list">
                    <For each=move || tasks().disputed key=|t| (t.id.clone(), t.version) let:task>
                        <DisputedTask task=task />
                    </For>
                </ul>
            </Show>
        </section>
    }
}

/// A resolved task its reporter was unsatisfied with a second time: what, where, and what the reporter said.
#[component]
fn DisputedTask(task: Report) -> impl IntoView {
    let app = use_app();
    let category = task.submitted.category.clone();
    let grid = grid_name(app, task.grid_id.as_deref());
    let said = task.timeline.last().and_then(|e| e.note.clone());
    let href = format!("/tasks/{}", task.id);
    view! {
        <li class="escalation" data-testid="disputed-task">
            <p>
                <strong>{move || category_label(&category)}</strong>" · "<span class="data" lang="zh-CN">{grid}</span>
                " "<span class="badge badge-urgent">{app.text(|t| t.verdict_unsatisfied)}</span>
            </p>
            {said.map(|s| view! { <p class="data" lang="zh-CN">{s}</p> })}
            <a href=href>{app.text(|t| t.escalations_open_task)}</a>
        </li>
    }
}

/// One escalated task: what, where, its level and department; for level 3 the district's decision.
#[component]
fn EscalatedTask(task: Report, changed: RwSignal<u32>) -> impl IntoView {
    let app = use_app();
    let category = task.submitted.category.clone();
    let grid = grid_name(app, task.grid_id.as_deref());
    let level = task.level;
    let status = task.status;
    let deadline = task.deadline.clone();
    let href = format!("/tasks/{}", task.id);
    let call = task.clone();
    view! {
        <li class="escalation" data-testid="escalated-task">
            <p>
                <strong>{move || category_label(&category)}</strong>" · "<span class="data" lang="zh-CN">{grid.clone()}</span>
                " "<span class=if level == 3 { "badge badge-urgent" } else { "badge" }>{move || level_name(app.t(), level)}</span>
                " "<span class="badge">{move || status_name(app.t(), status)}</span>
            </p>
            <CallStatus report=call />
            {deadline.clone().map(|d| view! { <p class="muted">{move || fill(app.t().expected_by, &[("time", &local_time(&d))])}</p> })}
            <a href=href.clone()>{app.text(|t| t.escalations_open_task)}</a>
            {(level == 3 && app.role() == Some(crate::domain::Role::Admin)).then(|| view! { <DecideForm task=task.clone() changed=changed /> })}
        </li>
    }
}

/// The district's decision on a level-3 task, sent at once (the console is used online).
#[component]
fn DecideForm(task: Report, changed: RwSignal<u32>) -> impl IntoView {
    let app = use_app();
    let note = RwSignal::new(String::new());
    let department = RwSignal::new(String::new());
    let deadline = RwSignal::new(String::new());
    let message = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let field = format!("decide-{}", task.id);
    let departments = crate::app::format::departments_in_service;
    let send = move |_| {
        let action = TaskAction {
            report_id: task.id.clone(),
            kind: ActionKind::Decide,
            note: Some(note.get_untracked()),
            photos: vec![],
            reason: None,
            duplicate_of: None,
            department_id: Some(department.get_untracked()).filter(|d| !d.is_empty()),
            deadline: local_input_to_rfc3339(&deadline.get_untracked()),
            expected_version: task.version,
        };
        if let Some((_, complaint)) = action.validate().into_iter().next() {
            message.set(Some(server_message(&complaint, app.lang.get())));
            return;
        }
        busy.set(true);
        let path = format!("/task-actions/{}", uuid::Uuid::now_v7());
        leptos::task::spawn_local(async move {
            match put_json::<_, Report>(&path, &action, app.token().as_deref()).await {
                Ok(_) => {
                    message.set(Some(app.t().escalations_decided.to_owned()));
                    changed.update(|n| *n += 1);
                }
                Err(f) => message.set(Some(app.describe(&f))),
            }
            busy.set(false);
        });
    };
    view! {
        <details class="decide" data-testid="decide">
            <summary>{app.text(|t| t.action_decide)}</summary>
            <p class="muted">{app.text(|t| t.escalations_decide_hint)}</p>
            <label class="field" for=format!("{field}-note")>{app.text(|t| t.action_note_label)}</label>
            <textarea id=format!("{field}-note") class="text" rows="2" data-testid="decide-note" prop:value=note
                on:input=move |ev| note.set(event_target_value(&ev))></textarea>
            <label class="field" for=format!("{field}-department")>{app.text(|t| t.department_label)}</label>
            <select id=format!("{field}-department") class="text" data-testid="decide-department"
                on:change=move |ev| department.set(event_target_value(&ev))>
                <option value="">{app.text(|t| t.department_none)}</option>
                {move || departments().into_iter().map(|(code, name)| view! { <option class="data" lang="zh-CN" value=code>{name}</option> }).collect_view()}
            </select>
            <label class="field" for=format!("{field}-deadline")>{app.text(|t| t.decide_deadline_label)}</label>
            <input id=format!("{field}-deadline") class="text" type="datetime-local" data-testid="decide-deadline" prop:value=deadline
                on:input=move |ev| deadline.set(event_target_value(&ev)) />
            <button type="button" class="button" data-testid="decide-send" disabled=move || busy.get() on:click=send>
                {app.text(|t| t.action_decide)}
            </button>
            {move || message.get().map(|m| view! { <p role="status" data-testid="decide-message">{m}</p> })}
        </details>
    }
}
