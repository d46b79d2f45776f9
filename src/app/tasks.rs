//! 任务: the tasks of my grid (a department's staff: the tasks called to their department), planned the way a worker
//! walks — overdue first, then urgent, then new, then in progress — and a task's detail with the actions its status
//! allows its user, each saved on the phone and sent through the outbox (so they work offline).
use crate::domain::api_error::code;
use leptos::prelude::*;
use leptos_router::hooks::use_params_map;

use super::components::{
    GridMap, JoinedReports, MapPoint, MapShape, NotOnPhone, PointKind, ReportDetail, StoredPhoto,
    SyncBar,
};
use super::format::{
    action_name, category_label, level_name, local_input_to_rfc3339, local_time, status_name,
    what_was_done, CallStatus,
};
use super::{use_app, AppContext, PageHeader};
use crate::client::local::{LocalReport, OutboxEntry, Problem};
use crate::client::location::current_fix;
use crate::client::unix_now;
use crate::domain::geo::compass_point;
use crate::domain::report::FieldErrors;
use crate::domain::task::{
    allowed_actions, on_list_of, outcome, project, ActionKind, RejectReason, TaskAction, TaskState,
};
use crate::domain::timestamp::parse_time;
use crate::domain::{GeoPoint, Report, Role, User};
use crate::i18n::{fill, server_message, Texts};

/// Seconds to the deadline (negative: overdue).
fn seconds_left(report: &Report) -> Option<i64> {
    let deadline = parse_time(report.deadline.as_deref()?)?;
    Some(deadline.unix_timestamp() - unix_now())
}

/// Whether a called department is past its 报到 (overdue like a missed deadline).
fn call_late(report: &Report) -> bool {
    report
        .acknowledge_deadline
        .as_deref()
        .and_then(parse_time)
        .is_some_and(|by| by.unix_timestamp() < unix_now())
}

/// The session's user.
fn me(app: AppContext) -> Option<User> {
    app.session.with(|s| s.as_ref().map(|s| s.user.clone()))
}

/// The walking order: overdue, urgent, new, in progress, then the closed ones.
fn rank(report: &Report) -> (u8, i64) {
    let left = seconds_left(report).unwrap_or(i64::MAX);
    let group = match () {
        _ if !report.status.is_open() => 4,
        _ if left < 0 || call_late(report) => 0,
        _ if report.submitted.urgent => 1,
        _ if report.status == crate::domain::ReportStatus::Received => 2,
        _ => 3,
    };
    (group, left)
}

fn time_left(t: &Texts, secs: i64) -> String {
    if secs < 0 {
        return t.task_overdue.to_owned();
    }
    let text = fill(
        t.hours_minutes,
        &[
            ("h", &(secs / 3600).to_string()),
            ("m", &((secs % 3600) / 60).to_string()),
        ],
    );
    fill(t.task_time_left, &[("t", &text)])
}

/// The grids to draw, as the phone keeps them: the worker's own, or (department staff, admins) those of the tasks.
fn grid_shapes(app: AppContext, grids: &[Option<String>]) -> Vec<MapShape> {
    app.reference.with(|r| {
        r.grids
            .iter()
            .filter(|g| grids.contains(&Some(g.id.clone())))
            .map(|g| MapShape {
                id: g.id.clone(),
                rings: MapShape::rings_of(g),
                color: None,
                shade: 0,
                title: format!("{} · {}", g.name, g.community),
            })
            .collect()
    })
}

/// The open tasks with a place (overdue ones marked, each opening its task) and where the worker stands.
fn task_points(
    app: AppContext,
    tasks: &[(LocalReport, Report)],
    here: Option<GeoPoint>,
) -> Vec<MapPoint> {
    let mut points: Vec<MapPoint> = tasks
        .iter()
        .filter(|(_, s)| s.status.is_open())
        .filter_map(|(local, s)| {
            let at = GeoPoint::new(s.submitted.lat?, s.submitted.lon?);
            let overdue = seconds_left(s).is_some_and(|left| left < 0) || call_late(s);
            let category = category_label(&s.submitted.category);
            Some(MapPoint {
                id: local.id.clone(),
                at,
                kind: if overdue {
                    PointKind::Overdue
                } else {
                    PointKind::Task
                },
                title: if overdue {
                    format!("{category} · {}", app.t().task_overdue)
                } else {
                    category
                },
                href: Some(format!("/tasks/{}", local.id)),
            })
        })
        .collect();
    points.extend(here.map(|at| MapPoint {
        id: "me".into(),
        at,
        kind: PointKind::Me,
        title: app.t().map_legend_me.into(),
        href: None,
    }));
    points
}

#[component]
pub fn TasksPage() -> impl IntoView {
    let app = use_app();
    let grid = move || me(app).and_then(|u| u.grid_id.filter(|_| u.role == Role::GridWorker));
    let department = move || app.role() == Some(Role::DepartmentStaff);
    let tasks = move || {
        let Some(user) = me(app) else {
            return vec![];
        };
        let mut list: Vec<(LocalReport, Report)> = app
            .reports
            .get()
            .into_iter()
            .filter_map(|r| {
                let server = r.server.clone()?;
                on_list_of(&user, &server).then_some((r, server))
            })
            .collect();
        list.sort_by_key(|(_, s)| rank(s));
        list
    };
    // Where the worker stands, for distance and direction.
    let here = RwSignal::new(None::<GeoPoint>);
    leptos::task::spawn_local(async move {
        if let Some(fix) = current_fix(5_000).await {
            let _ = here.try_set(Some(GeoPoint::new(fix.lat, fix.lon)));
        }
    });
    let counts = move || {
        let list = tasks();
        let count = |g: u8| {
            list.iter()
                .filter(|(_, s)| rank(s).0 == g)
                .count()
                .to_string()
        };
        fill(
            app.t().tasks_counts,
            &[
                ("overdue", &count(0)),
                ("urgent", &count(1)),
                ("new", &count(2)),
                ("doing", &count(3)),
            ],
        )
    };
    view! {
        {move || if department() {
            view! { <PageHeader title=|t| t.department_tasks_title /> }
        } else {
            view! { <PageHeader title=|t| t.tasks_title /> }
        }}
        <SyncBar />
        <p class="summary" data-testid="task-counts">{counts}</p>
        {move || {
            let tasks = tasks();
            let grids = match grid() {
                Some(own) => vec![Some(own)],
                None => tasks.iter().map(|(_, s)| s.grid_id.clone()).collect(),
            };
            let shapes = grid_shapes(app, &grids);
            let points = task_points(app, &tasks, here.get());
            // A department works across the district from its list: its map starts folded.
            let title = if department() { app.t().department_map_title } else { app.t().tasks_map_title };
            (!shapes.is_empty() || !points.is_empty()).then(|| view! {
                <details class="card task-map" data-testid="task-map" open=!department()>
                    <summary>{title}</summary>
                    <GridMap shapes=shapes points=points label=title height=320.0 />
                    <p class="map-legend muted">
                        <span class="legend-task">{app.t().map_legend_task}</span>
                        <span class="legend-overdue">{app.t().map_legend_overdue}</span>
                        <span class="legend-me">{app.t().map_legend_me}</span>
                    </p>
                </details>
            })
        }}
        <Show when=move || !tasks().is_empty() fallback=move || view! { <section class="card"><p>{move || if department() { app.t().department_tasks_empty } else { app.t().tasks_empty }}</p></section> }>
            <ul class="plain-list" data-testid="tasks">
                {move || tasks().into_iter().map(|(local, server)| {
                    let href = format!("/tasks/{}", local.id);
                    let status = server.status;
                    let urgent = server.submitted.urgent;
                    let hotspot = server.hotspot;
                    let left = seconds_left(&server).filter(|_| status.is_open());
                    let call = server.clone();
                    let category = local.category.clone().unwrap_or_default();
                    let when = local_time(&server.received_at);
                    let thumb = server.submitted.photos.first().cloned();
                    let place = match (server.submitted.lat, server.submitted.lon) {
                        (Some(lat), Some(lon)) => Some(GeoPoint::new(lat, lon)),
                        _ => None,
                    };
                    let distance = move || {
                        let (from, to) = (here.get()?, place?);
                        let dir = app.t().compass_points.split(',').nth(compass_point(from.bearing_deg(&to))).unwrap_or("");
                        Some(fill(app.t().task_distance, &[("km", &format!("{:.1}", from.distance_m(&to) / 1000.0)), ("dir", dir)]))
                    };
                    view! {
                        <li class="card report-row">
                            <a class="row-link task-link" href=href>
                                {thumb.map(|sha| view! { <StoredPhoto sha256=sha class="thumb task-thumb" /> })}
                                <span class="row-title">{move || category_label(&category)}</span>
                                <span class="muted">{when}</span>
                                <span class="muted" data-testid="task-distance">{distance}</span>
                                <span class="badges">
                                    <span class="badge">{move || status_name(app.t(), status)}</span>
                                    {urgent.then(|| view! { <span class="badge badge-urgent">{app.text(|t| t.task_urgent)}</span> })}
                                    {hotspot.then(|| view! { <span class="badge badge-hotspot">{app.text(|t| t.task_hotspot)}</span> })}
                                    {left.map(|s| view! { <span class=if s < 0 { "badge badge-urgent" } else { "badge" }>{move || time_left(app.t(), s)}</span> })}
                                </span>
                                <CallStatus report=call />
                            </a>
                        </li>
                    }
                }).collect_view()}
            </ul>
        </Show>
    }
}

#[component]
pub fn TaskDetailPage() -> impl IntoView {
    let app = use_app();
    let params = use_params_map();
    let id = move || params.with(|p| p.get("id").unwrap_or_default());
    // A memo: the detail re-renders when this task changes, not whenever any report is reloaded.
    let task = Memo::new(move |_| {
        app.reports
            .with(|rs| rs.iter().find(|r| r.id == id()).cloned())
    });
    let server = Memo::new(move |_| task.with(|t| t.as_ref().and_then(|r| r.server.clone())));
    let queued = Memo::new(move |_| {
        server.with(|s| {
            s.as_ref()
                .map(|s| queued_for(app, &s.id))
                .unwrap_or_default()
        })
    });
    // Who acts here: the grid's side, a department's staff, or the district.
    let user = Memo::new(move |_| me(app));
    // What the task will be once the actions waiting on this phone apply: the worker carries on from there.
    let projected = Memo::new(move |_| {
        let user = user.get()?;
        server.with(|s| {
            let s = s.as_ref()?;
            let now = TaskState::of(s).seen_by(
                s.department_id.as_deref(),
                user.role,
                user.department_id.as_deref(),
            );
            Some(queued.with(|q| project(now, user.role, &q.pending)))
        })
    });
    // Kept above the redraws a sync causes: what the worker is typing, and "saved", survive the task changing.
    let form = ActionForm::new();
    // The department to call starts as the one the category's 清单 names.
    Effect::new(move |_| {
        let category = server.with(|s| s.as_ref().map(|s| s.submitted.category.clone()));
        let named = category.and_then(|c| {
            app.reference.with(|r| {
                r.categories
                    .iter()
                    .find(|x| x.code == c)
                    .and_then(|x| x.department.clone())
            })
        });
        if let Some(d) = named {
            if form.department.with_untracked(String::is_empty) {
                form.department.set(d);
            }
        }
    });
    let state = TaskView {
        server,
        queued,
        projected,
        role: Signal::derive(move || user.with(|u| u.as_ref().map(|u| u.role))),
    };
    view! {
        <PageHeader title=|t| t.task_detail_title />
        {move || task.get().map(|r| view! { <ReportDetail report=r.clone() in_task=true /> })}
        <Show when=move || task.with(Option::is_none)>
            <NotOnPhone text=|t| t.not_on_phone_task />
        </Show>
        {move || server.get().map(|s| view! { <TaskSummary task=s state=state /> })}
        // What the worker types into is drawn once: a new version of the task arriving from the server while they
        // type must not replace the field under their fingers (the keystrokes would go to a detached element).
        <Show when=move || server.with(|s| s.is_some())>
            <TaskActions state=state form=form />
        </Show>
        // The photo input lives outside what a new task version redraws (its label there opens it): a photo chosen
        // just as the task changed would otherwise go to a detached input and be lost.
        <input id="action-photo" class="visually-hidden" type="file" accept="image/*" capture="environment"
            data-testid="action-photo" on:change=move |ev| form.attach_photo(app, ev) />
        <a class="button secondary" href="/tasks">{app.text(|t| t.back_to_tasks)}</a>
    }
}

/// The task as the server last said, what this phone still holds for it, and what it will be once that is sent.
#[derive(Clone, Copy)]
struct TaskView {
    server: Memo<Option<Report>>,
    queued: Memo<Queued>,
    projected: Memo<Option<TaskState>>,
    role: Signal<Option<Role>>,
}

impl TaskView {
    /// The actions allowed to this phone's user on the task as it will be.
    fn actions(self) -> Vec<ActionKind> {
        match (self.projected.get(), self.role.get()) {
            (Some(t), Some(role)) => allowed_actions(t, role),
            _ => vec![],
        }
    }
}

/// The task's actions still on this phone: those waiting to be sent, in order, and those the server refused (需处理).
#[derive(Clone, PartialEq, Default)]
struct Queued {
    pending: Vec<TaskAction>,
    parked: Vec<(OutboxEntry, TaskAction)>,
}

fn queued_for(app: AppContext, task_id: &str) -> Queued {
    // The actions the server's copy of the task shows applied: one whose answer was lost is still in the outbox
    // (its replay will settle it) but must not be counted again among those to come.
    let applied: Vec<String> = app.reports.with(|rs| {
        rs.iter()
            .find(|r| r.id == task_id)
            .and_then(|r| r.server.as_ref())
            .map(|s| s.timeline.iter().filter_map(|e| e.action.clone()).collect())
            .unwrap_or_default()
    });
    app.outbox.with(|o| {
        let mut entries: Vec<&OutboxEntry> = o.iter().collect();
        entries.sort_by(|a, b| a.queued_ms.total_cmp(&b.queued_ms));
        let mut q = Queued::default();
        for e in entries {
            let Some(action) = e.task_action().filter(|a| a.report_id == task_id) else {
                continue;
            };
            match e.problem {
                Some(_) => q.parked.push((e.clone(), action)),
                // Sent again after a restore, or applied but its answer lost: the task the phone holds already has it.
                None if e.sent_ms.is_some() || applied.contains(&e.id) => {}
                None => q.pending.push(action),
            }
        }
        q
    })
}

/// Puts an action in the outbox, then reloads what the screen shows and starts a sync.
/// `saved` runs as soon as the entry is on the phone, before the screen reloads: whatever it clears is cleared
/// before the next action shows, not under the worker's fingers while they type it.
async fn queue_action(
    app: AppContext,
    entry: OutboxEntry,
    saved: impl FnOnce(),
) -> Result<(), String> {
    let store = app
        .store()
        .ok_or_else(|| app.t().storage_unavailable.to_owned())?;
    store
        .put_outbox_entry(&entry)
        .await
        .map_err(|e| fill(app.t().storage_failed, &[("reason", &e.to_string())]))?;
    saved();
    app.reload_reports().await;
    app.sync_now();
    Ok(())
}

/// What the worker fills in for the next action, and what the screen last said about it.
#[derive(Clone, Copy)]
struct ActionForm {
    note: RwSignal<String>,
    reason: RwSignal<String>,
    reject_reason: RwSignal<RejectReason>,
    duplicate_of: RwSignal<String>,
    /// The department to call (吹哨, an escalation to level 2, a decision); empty: none chosen.
    department: RwSignal<String>,
    /// A decision's new deadline, as the `datetime-local` input gives it (the phone's local time).
    deadline: RwSignal<String>,
    /// A photo for a note or the resolution: prepared like a report's, kept on the phone until sent.
    photo: RwSignal<Option<String>>,
    errors: RwSignal<FieldErrors>,
    message: RwSignal<Option<String>>,
}

impl ActionForm {
    fn new() -> Self {
        ActionForm {
            note: RwSignal::new(String::new()),
            reason: RwSignal::new(String::new()),
            reject_reason: RwSignal::new(RejectReason::Invalid),
            duplicate_of: RwSignal::new(String::new()),
            department: RwSignal::new(String::new()),
            deadline: RwSignal::new(String::new()),
            photo: RwSignal::new(None),
            errors: RwSignal::new(FieldErrors::new()),
            message: RwSignal::new(None),
        }
    }
}

impl ActionForm {
    /// The action of `kind` the form describes, on `report_id` at `expected_version`.
    fn action(&self, kind: ActionKind, report_id: &str, expected_version: i64) -> TaskAction {
        let reject_reason = self.reject_reason.get_untracked();
        TaskAction {
            report_id: report_id.to_owned(),
            kind,
            note: Some(self.note.get_untracked()).filter(|n| !n.trim().is_empty()),
            photos: self.photo.get_untracked().into_iter().collect(),
            reason: match kind {
                ActionKind::Escalate | ActionKind::CallDepartment | ActionKind::HandBack => {
                    Some(self.reason.get_untracked()).filter(|r| !r.trim().is_empty())
                }
                ActionKind::Reject => Some(reject_reason.code().to_owned()),
                _ => None,
            },
            duplicate_of: (kind == ActionKind::Reject && reject_reason == RejectReason::Duplicate)
                .then(|| self.duplicate_of.get_untracked().trim().to_owned()),
            department_id: matches!(
                kind,
                ActionKind::Escalate | ActionKind::CallDepartment | ActionKind::Decide
            )
            .then(|| self.department.get_untracked())
            .filter(|d| !d.is_empty()),
            deadline: (kind == ActionKind::Decide)
                .then(|| local_input_to_rfc3339(&self.deadline.get_untracked()))
                .flatten(),
            expected_version,
        }
    }

    /// Empties what was typed, once it is queued.
    fn clear(&self) {
        self.note.set(String::new());
        self.reason.set(String::new());
        self.deadline.set(String::new());
        self.photo.set(None);
    }

    /// Prepares a chosen photo like a report's and keeps it on the phone for the next action.
    fn attach_photo(self, app: AppContext, ev: leptos::ev::Event) {
        use wasm_bindgen::JsCast;
        let Some(file) = ev
            .target()
            .and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok())
            .and_then(|i| i.files())
            .and_then(|f| f.get(0))
        else {
            return;
        };
        leptos::task::spawn_local(async move {
            let failed = match crate::client::photo::prepare(&file).await {
                Ok(p) => match app.store() {
                    Some(store) => match store.put_photo(&p.sha256, &p.bytes).await {
                        Ok(()) => {
                            self.photo.set(Some(p.sha256));
                            None
                        }
                        Err(e) => Some(fill(app.t().storage_failed, &[("reason", &e.to_string())])),
                    },
                    None => Some(app.t().storage_unavailable.to_owned()),
                },
                Err(e) => Some(fill(app.t().capture_failed, &[("reason", &e)])),
            };
            if let Some(message) = failed {
                self.message.set(Some(message));
            }
        });
    }
}

/// What the worker fills in for the actions allowed now, each field with the shared rules' complaint beside it.
/// `calls`: one of them calls a department (a call, an escalation to level 2, a decision).
#[component]
fn ActionFields(
    form: ActionForm,
    actions: Signal<Vec<ActionKind>>,
    calls: Signal<bool>,
) -> impl IntoView {
    let app = use_app();
    let ActionForm {
        note,
        reason,
        reject_reason,
        duplicate_of,
        department,
        deadline,
        photo,
        errors,
        ..
    } = form;
    let has = move |kind: ActionKind| actions.with(|a| a.contains(&kind));
    let departments = crate::app::format::departments_in_service;
    let field_error = move |field: &'static str| {
        move || {
            errors.with(|e| e.get(field).cloned()).map(|m| {
                view! { <p class="error field-error" data-testid=format!("error-{field}")>{server_message(&m, app.lang.get())}</p> }
            })
        }
    };
    view! {
        <Show when=move || !actions.get().is_empty()>
            <label class="field" for="action-note">{app.text(|t| t.action_note_label)}</label>
            <textarea id="action-note" class="text" rows="2" prop:value=note on:input=move |ev| note.set(event_target_value(&ev))></textarea>
            {field_error("note")}
            <label class="button secondary file-button" for="action-photo">{app.text(|t| t.capture_more)}</label>
            {move || photo.get().map(|sha| view! { <StoredPhoto sha256=sha class="thumb" /> })}
            {field_error("photos")}
            <Show when=move || has(ActionKind::Escalate) || has(ActionKind::CallDepartment) || has(ActionKind::HandBack)>
                <label class="field" for="action-reason">{move || {
                    let t = app.t();
                    if has(ActionKind::HandBack) {
                        t.hand_back_reason_label
                    } else if has(ActionKind::CallDepartment) {
                        t.call_reason_label
                    } else {
                        t.action_reason_label
                    }
                }}</label>
                <input id="action-reason" class="text" type="text" prop:value=reason on:input=move |ev| reason.set(event_target_value(&ev)) />
                {field_error("reason")}
            </Show>
            <Show when=move || calls.get()>
                <label class="field" for="action-department">{app.text(|t| t.department_label)}</label>
                <select id="action-department" class="text" data-testid="action-department"
                    on:change=move |ev| department.set(event_target_value(&ev))>
                    <option value="" selected=move || department.with(String::is_empty)>{app.text(|t| t.department_none)}</option>
                    {move || departments().into_iter().map(|(code, name)| {
                        let value = code.clone();
                        view! { <option class="data" lang="zh-CN" value=value selected=move || department.with(|d| *d == code)>{name}</option> }
                    }).collect_view()}
                </select>
                {field_error("department_id")}
            </Show>
            <Show when=move || has(ActionKind::Decide)>
                <label class="field" for="decide-deadline">{app.text(|t| t.decide_deadline_label)}</label>
                <input id="decide-deadline" class="text" type="datetime-local" prop:value=deadline
                    on:input=move |ev| deadline.set(event_target_value(&ev)) />
                {field_error("deadline")}
            </Show>
            <Show when=move || actions.get().contains(&ActionKind::Reject)>
                <label class="field" for="reject-reason">{app.text(|t| t.reject_reason_label)}</label>
                <select id="reject-reason" class="text" on:change=move |ev| {
                    if let Some(r) = RejectReason::from_code(&event_target_value(&ev)) { reject_reason.set(r) }
                }>
                    {RejectReason::ALL.into_iter().map(|r| view! {
                        <option value=r.code() selected=move || reject_reason.get() == r>{move || reject_name(app.t(), r)}</option>
                    }).collect_view()}
                </select>
                <Show when=move || reject_reason.get() == RejectReason::Duplicate>
                    <label class="field" for="duplicate-of">{app.text(|t| t.duplicate_of_label)}</label>
                    <input id="duplicate-of" class="text" type="text" prop:value=duplicate_of on:input=move |ev| duplicate_of.set(event_target_value(&ev)) />
                    {field_error("duplicate_of")}
                </Show>
            </Show>
        </Show>
    }
}

/// Who reported it, its status and level as they will be, the possible duplicates, and what waits on this phone
/// or was refused. Redrawn with each new version of the task.
#[component]
fn TaskSummary(task: Report, state: TaskView) -> impl IntoView {
    let app = use_app();
    let TaskView {
        queued,
        projected,
        role,
        ..
    } = state;
    let server_status = task.status;
    let status_label = move || {
        let status = projected.get()?.status;
        let name = status_name(app.t(), status);
        Some(if status == server_status {
            name.to_owned()
        } else {
            fill(app.t().action_pending_status, &[("status", name)])
        })
    };
    let reporter = task.reporter_name.clone();
    let call = task.clone();
    let duplicates = task.possible_duplicates.clone();
    view! {
        <section class="card" data-testid="task-summary">
            <p>{move || fill(app.t().task_reporter, &[("name", &reporter)])}</p>
            <p class="badges">
                <span class="badge" data-testid="task-status">{status_label}</span>
                {task.submitted.urgent.then(|| view! { <span class="badge badge-urgent">{app.text(|t| t.task_urgent)}</span> })}
                {task.hotspot.then(|| view! { <span class="badge badge-hotspot" data-testid="task-hotspot">{app.text(|t| t.task_hotspot)}</span> })}
            </p>
            {task.hotspot.then(|| view! { <p class="notice" data-testid="hotspot-advice">{app.text(|t| t.task_hotspot_advice)}</p> })}
            <p class="muted" data-testid="task-level">{app.text(|t| t.level_label)}": "{move || projected.get().map(|t| level_name(app.t(), t.level))}</p>
            <CallStatus report=call />
            {(task.joined > 0).then(|| view! { <JoinedReports report_id=task.id.clone() count=task.joined /> })}
            {(!duplicates.is_empty()).then(|| view! {
                <p data-testid="possible-duplicates">
                    {app.text(|t| t.possible_duplicates)}
                    {duplicates.iter().map(|d| {
                        let href = format!("/tasks/{d}");
                        let short = d.chars().rev().take(6).collect::<String>().chars().rev().collect::<String>();
                        view! { " "<a href=href>{short}</a> }
                    }).collect_view()}
                </p>
            })}
            <Show when=move || queued.with(|q| !q.pending.is_empty())>
                <p class="muted" data-testid="pending-actions">{move || crate::i18n::fill_count(app.t().action_pending, queued.with(|q| q.pending.len()), &[])}</p>
            </Show>
            <ParkedActions task=task.clone() queued=queued projected=projected role=role />
        </section>
    }
}

/// What the worker fills in and the buttons for the actions allowed now. Drawn once for the page: each action reads
/// the task's version when it is tapped.
#[component]
fn TaskActions(state: TaskView, form: ActionForm) -> impl IntoView {
    let ActionForm {
        errors, message, ..
    } = form;
    let app = use_app();
    let act = move |kind: ActionKind| {
        message.set(None);
        let Some((base_version, report_id)) = state
            .server
            .with_untracked(|s| s.as_ref().map(|s| (s.version, s.id.clone())))
        else {
            return;
        };
        // Each waiting action will raise the version by one before this one arrives.
        let expected = base_version + state.queued.with_untracked(|q| q.pending.len()) as i64;
        let action = form.action(kind, &report_id, expected);
        let found = action.validate();
        if !found.is_empty() {
            errors.set(found);
            message.set(Some(app.t().action_fix_fields.to_owned()));
            return;
        }
        errors.set(FieldErrors::new());
        let entry = OutboxEntry::for_action(
            uuid::Uuid::now_v7().to_string(),
            &action,
            js_sys::Date::now(),
        );
        leptos::task::spawn_local(async move {
            let saved = move || {
                form.clear();
                message.set(Some(app.t().action_queued.to_owned()));
            };
            if let Err(e) = queue_action(app, entry, saved).await {
                message.set(Some(e));
            }
        });
    };
    let actions = move || state.actions();
    let calls = move || {
        let level = state.projected.with(|t| t.map_or(0, |t| t.level));
        actions().iter().any(|k| match k {
            ActionKind::CallDepartment | ActionKind::Decide => true,
            ActionKind::Escalate => level == 1,
            _ => false,
        })
    };
    // A closed task with nothing said about it shows no empty card.
    let shown = move || message.with(Option::is_some) || !actions().is_empty();
    view! {
        <section class="card" data-testid="task-actions" hidden=move || !shown()>
            <Show when=move || message.get().is_some()>
                <p role="status" data-testid="action-message">{move || message.get()}</p>
            </Show>
            <ActionFields form=form actions=Signal::derive(actions) calls=Signal::derive(calls) />
            <div class="action-buttons">
                <For each=actions key=|k| *k let:kind>
                    <button type="button" class=button_class(kind) on:click=move |_| act(kind)>{move || action_name(app.t(), kind)}</button>
                </For>
            </div>
        </section>
    }
}

/// 办结 stands out, 退回 warns, the rest are plain.
fn button_class(kind: ActionKind) -> &'static str {
    match kind {
        ActionKind::Resolve | ActionKind::Accept => "button",
        ActionKind::Reject => "button secondary reject",
        _ => "button secondary",
    }
}

fn reject_name(t: &Texts, reason: RejectReason) -> &'static str {
    match reason {
        RejectReason::Duplicate => t.reject_duplicate,
        RejectReason::Invalid => t.reject_invalid,
        RejectReason::NotOurGrid => t.reject_not_our_grid,
    }
}

/// The actions the server refused, each with why in words and what the worker can do: redo it on the task as it
/// now is (when its status still allows it), or drop it. Nothing the worker typed goes without their say.
#[component]
fn ParkedActions(
    task: Report,
    queued: Memo<Queued>,
    projected: Memo<Option<TaskState>>,
    role: Signal<Option<Role>>,
) -> impl IntoView {
    let app = use_app();
    let version = task.version;
    let last = StoredValue::new(task.timeline.last().cloned());
    let rows = move || queued.with(|q| q.parked.clone());
    view! {
        <Show when=move || queued.with(|q| !q.parked.is_empty())>
            <div class="parked" data-testid="parked-actions" role="alert">
                <h3>{app.text(|t| t.action_parked_title)}</h3>
                <For each=rows key=|(e, _)| e.id.clone() let:row>
                    {
                        let (entry, action) = row;
                        let problem = entry.problem.clone().unwrap_or_else(|| Problem { code: String::new(), message: String::new() });
                        let conflict = problem.code == code::VERSION_CONFLICT;
                        let last = last.get_value();
                        let what_happened = move || {
                            let e = last.as_ref().filter(|_| conflict)?;
                            Some(fill(app.t().action_conflict, &[
                                ("by", e.by.as_deref().unwrap_or("")),
                                ("time", &local_time(&e.at)),
                                ("what", &what_was_done(app.t(), e)),
                            ]))
                        };
                        let text = action.note.clone().or_else(|| action.reason.clone()).unwrap_or_default();
                        let kind = action.kind;
                        let redo_allowed = {
                            let action = action.clone();
                            move || match (projected.get(), role.get()) {
                                (Some(t), Some(role)) => outcome(t, role, &action).is_ok(),
                                _ => false,
                            }
                        };
                        let redo = {
                            let action = action.clone();
                            let old_id = entry.id.clone();
                            move |_| {
                                let mut action = action.clone();
                                action.expected_version = version + queued.with_untracked(|q| q.pending.len()) as i64;
                                let entry = OutboxEntry::for_action(uuid::Uuid::now_v7().to_string(), &action, js_sys::Date::now());
                                let old_id = old_id.clone();
                                leptos::task::spawn_local(async move {
                                    if let Some(store) = app.store() {
                                        // The new one is saved before the old one goes: never neither.
                                        if queue_action(app, entry, || ()).await.is_ok() && store.drop_outbox_entry(&old_id).await.is_ok() {
                                            app.reload_reports().await;
                                        }
                                    }
                                });
                            }
                        };
                        let drop_it = {
                            let old_id = entry.id.clone();
                            move |_| {
                                let old_id = old_id.clone();
                                leptos::task::spawn_local(async move {
                                    if let Some(store) = app.store() {
                                        if store.drop_outbox_entry(&old_id).await.is_ok() {
                                            app.reload_reports().await;
                                        }
                                    }
                                });
                            }
                        };
                        view! {
                            <div class="parked-action" data-testid="parked-action">
                                <p><strong>{move || action_name(app.t(), kind)}</strong>" "{text.clone()}</p>
                                <p class="error">{move || what_happened().unwrap_or_else(|| server_message(&problem.message, app.lang.get()))}</p>
                                <Show when=redo_allowed.clone() fallback=move || view! { <p class="muted">{app.text(|t| t.action_redo_not_allowed)}</p> }>
                                    <button type="button" class="button" on:click=redo.clone()>{app.text(|t| t.action_redo)}</button>
                                </Show>
                                <button type="button" class="button secondary" on:click=drop_it>{app.text(|t| t.action_drop)}</button>
                            </div>
                        }
                    }
                </For>
            </div>
        </Show>
    }
}
