//! How the phone says things: times, the names of states, statuses, levels and actions, a category's name, what a
//! timeline step was, and links to the phone's map app. Shared by every page.
use leptos::prelude::*;

use super::use_app;
use crate::client::local::LocalState;
use crate::domain::task::ActionKind;
use crate::domain::{ReportStatus, TimelineEntry};
use crate::i18n::{fill, Texts};

/// An RFC 3339 instant shown in the phone's local time, `YYYY-MM-DD HH:MM`.
pub fn local_time(rfc3339: &str) -> String {
    let date = js_sys::Date::new(&wasm_bindgen::JsValue::from_str(rfc3339));
    if date.get_time().is_nan() {
        return rfc3339.to_owned();
    }
    format!(
        "{:04}-{:02}-{:02} {:02}:{:02}",
        date.get_full_year(),
        date.get_month() + 1,
        date.get_date(),
        date.get_hours(),
        date.get_minutes()
    )
}

pub fn state_name(t: &Texts, state: LocalState) -> &'static str {
    match state {
        LocalState::Draft => t.state_draft,
        LocalState::Queued => t.state_queued,
        LocalState::Sending => t.state_sending,
        LocalState::Delivered => t.state_delivered,
        LocalState::NeedsAttention => t.state_needs_attention,
    }
}

pub fn status_name(t: &Texts, status: ReportStatus) -> &'static str {
    match status {
        ReportStatus::Received => t.status_received,
        ReportStatus::Accepted => t.status_accepted,
        ReportStatus::InProgress => t.status_in_progress,
        ReportStatus::Resolved => t.status_resolved,
        ReportStatus::Rejected => t.status_rejected,
    }
}

/// Picks one string of the interface (so a label follows the language).
pub type TextOf = fn(&'static Texts) -> &'static str;

/// Links that open the phone's map apps at a place: 高德, 百度 and 腾讯 each in its own coordinates (converted from
/// our WGS-84), then `geo:` on Android or Apple Maps on iPhones and iPads (iOS Safari ignores `geo:`).
pub fn map_links(lat: f64, lon: f64, name: &str) -> Vec<(TextOf, String)> {
    use crate::domain::geo::MapApp;
    let ios = window()
        .navigator()
        .user_agent()
        .is_ok_and(|ua| ua.contains("iPhone") || ua.contains("iPad"));
    crate::domain::geo::map_links(crate::domain::GeoPoint::new(lat, lon), name, ios)
        .into_iter()
        .map(|(app, url)| {
            let label: TextOf = match app {
                MapApp::Amap => |t| t.map_amap,
                MapApp::Baidu => |t| t.map_baidu,
                MapApp::Tencent => |t| t.map_tencent,
                MapApp::Apple => |t| t.map_apple,
                MapApp::Other => |t| t.station_map,
            };
            (label, url)
        })
        .collect()
}

/// A category's name in the interface language.
pub fn category_label(code: &str) -> String {
    category_name(Some(code))
}

pub fn category_name(code: Option<&str>) -> String {
    let app = use_app();
    let english = app.lang.get().is_english();
    app.reference.with(|d| {
        d.categories
            .iter()
            .find(|c| Some(c.code.as_str()) == code)
            .map(|c| c.name(english).to_owned())
            .unwrap_or_else(|| code.unwrap_or("?").to_owned())
    })
}

pub fn level_name(t: &Texts, level: u8) -> &'static str {
    match level {
        1 => t.level_1,
        2 => t.level_2,
        _ => t.level_3,
    }
}

pub fn action_name(t: &Texts, kind: ActionKind) -> &'static str {
    match kind {
        ActionKind::Accept => t.action_accept,
        ActionKind::Start => t.action_start,
        ActionKind::Note => t.action_note,
        ActionKind::Escalate => t.action_escalate,
        ActionKind::Resolve => t.action_resolve,
        ActionKind::Reject => t.action_reject,
        ActionKind::CallDepartment => t.action_call_department,
        ActionKind::Acknowledge => t.action_acknowledge,
        ActionKind::HandBack => t.action_hand_back,
        ActionKind::Decide => t.action_decide,
    }
}

/// What a `datetime-local` input holds (`2026-12-08T10:00`, the phone's local time) as an RFC 3339 instant.
pub fn local_input_to_rfc3339(value: &str) -> Option<String> {
    if value.trim().is_empty() {
        return None;
    }
    let date = js_sys::Date::new(&wasm_bindgen::JsValue::from_str(value));
    if date.get_time().is_nan() {
        return Some(value.to_owned());
    }
    date.to_iso_string().as_string()
}

/// The departments in service, as (code, name), for a picker.
pub fn departments_in_service() -> Vec<(String, String)> {
    use_app().reference.with(|r| {
        r.departments
            .iter()
            .filter(|d| !d.retired)
            .map(|d| (d.code.clone(), d.name.clone()))
            .collect()
    })
}

/// A department's name, by its code (the code itself when the phone does not know it).
pub fn department_name(code: &str) -> String {
    use_app().reference.with(|d| {
        d.departments
            .iter()
            .find(|x| x.code == code)
            .map_or_else(|| code.to_owned(), |x| x.name.clone())
    })
}

/// Where a task's department call stands, for the worker, the department and the district: "等待 城管局 报到 · 剩
/// 3 小时 10 分", "城管局 报到超时", "城管局 已报到" — as the template (its `{department}` still to fill), the
/// department's name, and whether it is late; nothing without a call or once the task is closed.
pub fn call_status(t: &Texts, report: &crate::domain::Report) -> Option<(String, String, bool)> {
    let department = department_name(report.department_id.as_deref()?);
    if !report.status.is_open() {
        return None;
    }
    let Some(by) = report.acknowledge_deadline.as_deref() else {
        return Some((t.call_acknowledged.to_owned(), department, false));
    };
    let left =
        crate::domain::timestamp::parse_time(by)?.unix_timestamp() - crate::client::unix_now();
    Some(if left < 0 {
        (t.call_late.to_owned(), department, true)
    } else {
        let time = fill(
            t.hours_minutes,
            &[
                ("h", &(left / 3600).to_string()),
                ("m", &((left % 3600) / 60).to_string()),
            ],
        );
        (fill(t.call_waiting, &[("t", &time)]), department, false)
    })
}

/// [`call_status`] drawn: the department's name is data, marked as Chinese (a screen reader in English reads it
/// in Chinese), the words around it in the interface language.
#[component]
pub fn CallStatus(report: crate::domain::Report) -> impl IntoView {
    let app = use_app();
    move || {
        let (template, department, late) = call_status(app.t(), &report)?;
        let (before, after) = template
            .split_once("{department}")
            .map(|(b, a)| (b.to_owned(), a.to_owned()))
            .unwrap_or((template.clone(), String::new()));
        Some(view! {
            <p class=if late { "call-status late" } else { "call-status" } data-testid="task-call">
                {before}<span lang="zh-CN" class="data">{department}</span>{after}
            </p>
        })
    }
}

/// What a step of the timeline was: the action that made it (备注, 升级至 部门联处), or the status it left.
pub fn timeline_label(t: &Texts, entry: &TimelineEntry) -> String {
    match (entry.kind, entry.level) {
        (Some(ActionKind::Escalate), Some(level)) => {
            let up = fill(t.timeline_escalated, &[("level", level_name(t, level))]);
            match entry.department.as_deref() {
                Some(d) => format!(
                    "{up} · {}",
                    fill(t.timeline_called, &[("department", &department_name(d))])
                ),
                None => up,
            }
        }
        (Some(ActionKind::Note), _) => t.action_note.to_owned(),
        (Some(ActionKind::CallDepartment), _) => fill(
            t.timeline_called,
            &[(
                "department",
                &department_name(entry.department.as_deref().unwrap_or("?")),
            )],
        ),
        (Some(kind @ (ActionKind::Acknowledge | ActionKind::HandBack | ActionKind::Decide)), _) => {
            action_name(t, kind).to_owned()
        }
        _ => status_name(t, entry.status).to_owned(),
    }
}

/// What someone did, for "王芳 已于 10:42 接单": the action's name, or what the timeline calls the step.
pub fn what_was_done(t: &Texts, entry: &TimelineEntry) -> String {
    match entry.kind {
        Some(
            kind @ (ActionKind::Accept
            | ActionKind::Start
            | ActionKind::Resolve
            | ActionKind::Reject),
        ) => action_name(t, kind).to_owned(),
        _ => timeline_label(t, entry),
    }
}

/// A reason for a grid's colour in the interface language.
pub fn reason_text(t: &'static Texts, reason: &crate::domain::warnings::Reason) -> String {
    use crate::domain::warnings::Reason;
    match reason {
        Reason::Overdue { count } => fill(t.reason_overdue, &[("n", &count.to_string())]),
        Reason::Hotspots { count } => fill(t.reason_hotspots, &[("n", &count.to_string())]),
        Reason::Satisfaction { share, verdicts } => fill(
            t.reason_satisfaction,
            &[
                ("p", &format!("{:.0}", share * 100.0)),
                ("n", &verdicts.to_string()),
            ],
        ),
    }
}

/// A colour's name in the interface language.
pub fn color_name(t: &'static Texts, color: crate::domain::warnings::Color) -> &'static str {
    use crate::domain::warnings::Color;
    match color {
        Color::Red => t.color_red,
        Color::Yellow => t.color_yellow,
        Color::Green => t.color_green,
    }
}
