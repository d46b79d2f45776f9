//! One concern: what was raised, where it stands, the timeline of answers (收集—响应—反馈); for its rider the
//! 满意 / 不满意 once it is closed; for the staff the actions its status allows. Everything done here is queued in
//! the outbox and shown at once as waiting.
use leptos::prelude::*;
use leptos_router::hooks::use_params_map;

use super::{concern_status_name, kind_name, known_concerns, station_name, topic_name, Known};
use crate::app::components::StoredPhoto;
use crate::app::format::{departments_in_service, local_time};
use crate::app::{use_app, AppContext, PageHeader};
use crate::client::local::{OutboxEntry, OutboxKind};
use crate::domain::concern::{
    Concern, ConcernAction, ConcernActionKind, ConcernStep, ConcernVerdict,
};
use crate::domain::verdict::Verdict;
use crate::domain::Role;
use crate::i18n::{fill, server_message, Texts};

#[component]
pub fn ConcernDetailPage() -> impl IntoView {
    let app = use_app();
    let params = use_params_map();
    let concern = Memo::new(move |_| {
        let id = params.with(|p| p.get("id").unwrap_or_default());
        known_concerns(app).into_iter().find(|c| c.id == id)
    });
    let back = move || {
        if app.role() == Some(Role::Rider) {
            "/my-reports"
        } else {
            "/concerns"
        }
    };
    view! {
        <PageHeader title=|t| t.concern_detail_title />
        {move || concern.get().map(|c| view! { <ConcernDetail concern=c /> })}
        <a class="button secondary" href=back>{app.text(|t| t.back_to_list)}</a>
    }
}

/// The actions and verdicts on `id` waiting in the outbox (parked ones included).
fn waiting_on(app: AppContext, id: &str) -> Vec<OutboxEntry> {
    app.outbox.with(|o| {
        o.iter()
            .filter(|e| e.kind != OutboxKind::Concern && e.concern_id().as_deref() == Some(id))
            .cloned()
            .collect()
    })
}

#[component]
fn ConcernDetail(concern: Known) -> impl IntoView {
    let app = use_app();
    let (kind, topic, station) = (
        concern.kind,
        concern.topic.clone(),
        concern.station_id.clone(),
    );
    let status = concern.status();
    let problem = concern.problem.clone();
    let server = concern.server.clone();
    let deadline = server
        .as_ref()
        .filter(|s| s.replied_at.is_none() && !s.status.is_closed())
        .map(|s| local_time(&s.reply_deadline));
    let overdue = concern.overdue(js_sys::Date::now());
    let drop_id = concern.id.clone();
    view! {
        <section class="card" data-testid="concern-detail" data-status=status.map_or("queued", |s| s.code())>
            <h2>{move || kind_name(app.t(), kind)}" · "{move || topic_name(app, &topic)}</h2>
            <p class="badges">
                <span class="badge" data-testid="concern-status">{move || match (status, problem.is_some()) {
                    (Some(s), _) => concern_status_name(app.t(), s),
                    (None, true) => app.t().state_needs_attention,
                    (None, false) => app.t().state_queued,
                }}</span>
                {overdue.then(|| view! { <span class="badge badge-urgent">{app.text(|t| t.concern_overdue)}</span> })}
            </p>
            <p class="note">{concern.text.clone()}</p>
            <div class="thumbs">
                {concern.photos.iter().map(|sha| view! { <StoredPhoto sha256=sha.clone() class="thumb" /> }).collect_view()}
            </div>
            <p class="muted">{move || fill(app.t().concern_goes_to, &[("station", &station_name(app, &station))])}</p>
            {server.as_ref().filter(|_| app.role() != Some(Role::Rider)).map(|s| {
                let rider = s.rider_name.clone();
                let counter = s.at_counter;
                view! { <p class="muted">{app.text(|t| t.concern_rider)}<span class="data">{rider}</span>
                    {counter.then(|| view! { " · "{app.text(|t| t.concern_at_counter)} })}</p> }
            })}
            {deadline.map(|d| view! { <p class="muted" data-testid="concern-deadline">{move || fill(app.t().concern_reply_due, &[("time", &d)])}</p> })}
            {server.as_ref().and_then(|s| s.task_id.clone()).map(|task| view! {
                <a class="button secondary" href=format!("/tasks/{task}")>{app.text(|t| t.concern_task_link)}</a>
            })}
            {server.as_ref().filter(|s| s.points_awarded > 0).map(|s| {
                let n = s.points_awarded.to_string();
                view! { <p class="notice" data-testid="concern-points">{move || fill(app.t().concern_points, &[("n", &n)])}</p> }
            })}
            {concern.problem.clone().map(|p| view! {
                <p class="error" role="alert">{move || fill(app.t().sync_failed_hint, &[("reason", &server_message(&p.message, app.lang.get()))])}</p>
                <button type="button" class="button secondary danger" on:click={
                    let id = drop_id.clone();
                    move |_| {
                        let id = id.clone();
                        // What was made on it goes with it: it could never apply.
                        let on_it: Vec<String> = waiting_on(app, &id).into_iter().map(|e| e.id).collect();
                        leptos::task::spawn_local(async move {
                            if let Some(store) = app.store() {
                                for entry in on_it.iter().chain([&id]) {
                                    let _ = store.drop_outbox_entry(entry).await;
                                }
                                app.reload_reports().await;
                            }
                        });
                    }
                }>{app.text(|t| t.action_drop)}</button>
            })}
        </section>
        <Timeline concern=concern.clone() />
        {server.clone().map(|s| view! {
            <Show when=move || app.role() == Some(Role::Rider) fallback={
                let s = s.clone();
                move || view! { <StaffActions concern=s.clone() /> }
            }>
                <ConcernVerdictCard concern=s.clone() />
            </Show>
        })}
    }
}

/// The steps so far, and the actions still waiting on this phone.
#[component]
fn Timeline(concern: Known) -> impl IntoView {
    let app = use_app();
    let steps = concern
        .server
        .as_ref()
        .map(|s| s.timeline.clone())
        .unwrap_or_default();
    let id = concern.id.clone();
    let waiting = move || waiting_on(app, &id);
    view! {
        <section class="card">
            <h2>{app.text(|t| t.timeline_title)}</h2>
            <ol class="timeline" data-testid="concern-timeline">
                {steps.into_iter().map(|step| view! { <Step step=step /> }).collect_view()}
                {move || waiting().into_iter().map(|e| {
                    let action = e.content::<ConcernAction>(OutboxKind::ConcernAction);
                    let kind = action.as_ref().map(|a| a.kind);
                    let words = action.and_then(|a| a.text);
                    let problem = e.problem.clone();
                    view! {
                        <li class="pending" data-testid="concern-step-waiting">
                            {move || kind.map_or(app.t().verdict_title, |k| action_name(app.t(), k))}
                            " · "{app.text(|t| t.state_queued)}
                            {words.map(|t| view! { <p>{t}</p> })}
                            {problem.map(|p| view! { <p class="error">{move || server_message(&p.message, app.lang.get())}</p> })}
                        </li>
                    }
                }).collect_view()}
            </ol>
        </section>
    }
}

pub fn action_name(t: &Texts, kind: ConcernActionKind) -> &'static str {
    match kind {
        ConcernActionKind::Accept => t.concern_accept,
        ConcernActionKind::Reply => t.concern_reply,
        ConcernActionKind::Forward => t.concern_forward,
        ConcernActionKind::Resolve => t.concern_resolve,
        ConcernActionKind::Adopt => t.concern_adopt,
        ConcernActionKind::Decline => t.concern_decline,
    }
}

#[component]
fn Step(step: ConcernStep) -> impl IntoView {
    let app = use_app();
    let when = local_time(&step.at);
    let (kind, status) = (step.kind, step.status);
    // Who acted and where it was forwarded are data (names), shown as they are in either language.
    let who = step
        .by
        .clone()
        .map(|b| view! { " · "<span class="data">{b}</span> });
    let to = step
        .to
        .clone()
        .map(|t| view! { " → "<span class="data">{t}</span> });
    view! {
        <li data-testid="concern-step" data-kind=kind.map_or("received", |k| k.code())>
            <span class="muted">{when}</span>" "
            <strong>{move || match kind {
                Some(k) => action_name(app.t(), k),
                None => concern_status_name(app.t(), status),
            }}</strong>{who}{to}
            {step.text.clone().map(|t| view! { <p class="data">{t}</p> })}
        </li>
    }
}

/// 满意 / 不满意 for the rider, once the concern is closed: queued in the outbox, then the verdict given.
#[component]
fn ConcernVerdictCard(concern: Concern) -> impl IntoView {
    let app = use_app();
    let comment = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let id = concern.id.clone();
    let pending = {
        let id = id.clone();
        move || {
            waiting_on(app, &id)
                .iter()
                .find_map(|e| e.content::<ConcernVerdict>(OutboxKind::ConcernVerdict))
                .map(|v| v.verdict)
        }
    };
    let name = move |v: Verdict| match v {
        Verdict::Satisfied => app.t().verdict_satisfied,
        Verdict::Unsatisfied => app.t().verdict_unsatisfied,
    };
    let send = move |verdict: Verdict| {
        let v = ConcernVerdict {
            concern_id: id.clone(),
            verdict,
            comment: Some(comment.get_untracked()).filter(|c| !c.trim().is_empty()),
        };
        if let Err(faults) = v.validate() {
            error.set(
                faults
                    .values()
                    .next()
                    .map(|m| server_message(m, app.lang.get_untracked())),
            );
            return;
        }
        let entry = OutboxEntry::carrying(
            uuid::Uuid::now_v7().to_string(),
            OutboxKind::ConcernVerdict,
            &v,
            js_sys::Date::now(),
        );
        app.queue(entry, error);
    };
    let closed = concern.status.is_closed();
    let given = concern.verdict;
    move || {
        if let Some(v) = pending() {
            return Some(view! { <section class="card" data-testid="concern-verdict"><p>{fill(app.t().verdict_pending, &[("verdict", name(v))])}</p></section> }.into_any());
        }
        if let Some(v) = given {
            return Some(view! { <section class="card" data-testid="concern-verdict"><p>{fill(app.t().verdict_given, &[("verdict", name(v))])}</p></section> }.into_any());
        }
        let send = send.clone();
        closed.then(|| view! {
            <section class="card" data-testid="concern-verdict-prompt">
                <h2>{app.t().verdict_title}</h2>
                <label class="field">{app.t().verdict_comment}
                    <textarea class="text" rows="2" prop:value=move || comment.get() on:input=move |ev| comment.set(event_target_value(&ev))></textarea>
                </label>
                <div class="action-buttons">
                    <button type="button" class="button" on:click={let send = send.clone(); move |_| send(Verdict::Satisfied)}>{app.t().verdict_satisfied}</button>
                    <button type="button" class="button secondary danger" on:click=move |_| send(Verdict::Unsatisfied)>{app.t().verdict_unsatisfied}</button>
                </div>
                {move || error.get().map(|e| view! { <p class="error" role="alert">{e}</p> })}
            </section>
        }.into_any())
    }
}

/// What the staff may do now: 受理 while received; an answer (答复), 办结 for a difficulty, 采纳 / 不采纳 for a
/// suggestion, and 转办 to a department or a grid. A department answers and resolves only.
#[component]
fn StaffActions(concern: Concern) -> impl IntoView {
    let app = use_app();
    let text = RwSignal::new(String::new());
    let target = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let concern_id = concern.id.clone();
    let version = concern.version;
    let act = move |kind: ConcernActionKind| {
        let waiting = waiting_on(app, &concern_id)
            .iter()
            .filter(|e| e.kind == OutboxKind::ConcernAction)
            .count();
        let chosen = target.get_untracked();
        let (department_id, grid_id) = match chosen.split_once(':') {
            Some(("department", d)) if kind == ConcernActionKind::Forward => {
                (Some(d.to_owned()), None)
            }
            Some(("grid", g)) if kind == ConcernActionKind::Forward => (None, Some(g.to_owned())),
            _ => (None, None),
        };
        let action = ConcernAction {
            concern_id: concern_id.clone(),
            kind,
            text: Some(text.get_untracked().trim().to_owned()).filter(|t| !t.is_empty()),
            department_id,
            grid_id,
            category: None,
            expected_version: version + waiting as i64,
        };
        let faults = action.validate();
        if let Some(m) = faults.values().next() {
            error.set(Some(server_message(m, app.lang.get_untracked())));
            return;
        }
        text.set(String::new());
        let entry = OutboxEntry::carrying(
            uuid::Uuid::now_v7().to_string(),
            OutboxKind::ConcernAction,
            &action,
            js_sys::Date::now(),
        );
        app.queue(entry, error);
    };
    let department = app.role() == Some(Role::DepartmentStaff);
    let allowed = move |kind: ConcernActionKind| {
        let probe = ConcernAction {
            concern_id: String::new(),
            kind,
            text: Some("-".into()),
            department_id: Some("-".into()),
            grid_id: None,
            category: None,
            expected_version: 0,
        };
        probe.outcome(concern.kind, concern.status).is_ok()
            && (!department
                || matches!(kind, ConcernActionKind::Reply | ConcernActionKind::Resolve))
    };
    let button = move |kind: ConcernActionKind, class: &'static str| {
        let act = act.clone();
        allowed(kind).then(|| view! {
            <button type="button" class=class data-action=kind.code() on:click=move |_| act(kind)>{move || action_name(app.t(), kind)}</button>
        })
    };
    let open = !concern.status.is_closed();
    open.then(|| view! {
        <section class="card" data-testid="concern-actions">
            <h2>{app.text(|t| t.concern_actions_title)}</h2>
            <div class="action-buttons">{button(ConcernActionKind::Accept, "button secondary")}</div>
            <label class="field">{app.text(|t| t.concern_action_text)}
                <textarea class="text" rows="3" maxlength="1000" data-testid="concern-action-text"
                    prop:value=move || text.get() on:input=move |ev| text.set(event_target_value(&ev))></textarea>
            </label>
            <div class="action-buttons">
                {button(ConcernActionKind::Reply, "button")}
                {button(ConcernActionKind::Resolve, "button secondary")}
                {button(ConcernActionKind::Adopt, "button secondary")}
                {button(ConcernActionKind::Decline, "button secondary danger")}
            </div>
            {(!department).then(|| view! { <ForwardPicker target=target /> })}
            {(!department).then(|| button(ConcernActionKind::Forward, "button secondary"))}
            {move || error.get().map(|e| view! { <p class="error" role="alert" data-testid="concern-action-error">{e}</p> })}
        </section>
    })
}

/// Where a 转办 goes: a department, or a grid (where it becomes a task).
#[component]
fn ForwardPicker(target: RwSignal<String>) -> impl IntoView {
    let app = use_app();
    let grids = move || {
        app.reference.with(|r| {
            r.grids
                .iter()
                .filter(|g| !g.retired)
                .map(|g| (g.id.clone(), g.name.clone()))
                .collect::<Vec<_>>()
        })
    };
    view! {
        <label class="field">{app.text(|t| t.concern_forward_to)}
            <select class="text" data-testid="concern-forward-to" on:change=move |ev| target.set(event_target_value(&ev))>
                <option value="">"—"</option>
                <optgroup label=app.text(|t| t.department_label)>
                    {move || departments_in_service().into_iter().map(|(code, name)| view! { <option value=format!("department:{code}")>{name}</option> }).collect_view()}
                </optgroup>
                <optgroup label=app.text(|t| t.concern_forward_grid)>
                    {move || grids().into_iter().map(|(id, name)| view! { <option value=format!("grid:{id}")>{name}</option> }).collect_view()}
                </optgroup>
            </select>
        </label>
    }
}
