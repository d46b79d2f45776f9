//! 青亲暖新 on the phone: a rider raises a difficulty (困难诉求) or a suggestion (金点子) — offline too, through the
//! outbox — and follows it in 我的上报; the staff of its station (and the department it was forwarded to, and admins)
//! see the station's concerns, answer, forward, resolve, adopt or decline them.
mod detail;
mod form;

use leptos::prelude::*;

pub use detail::ConcernDetailPage;
pub use form::NewConcernPage;

use super::format::local_time;
use super::{use_app, AppContext, PageHeader};
use crate::client::local::{OutboxKind, Problem};
use crate::domain::concern::{Concern, ConcernKind, ConcernStatus, ConcernSubmission};
use crate::domain::Role;
use crate::i18n::{fill, Texts};

/// A concern as this phone knows it: as the server last gave it, or still waiting in the outbox (with its problem,
/// if the server refused it).
#[derive(Debug, Clone, PartialEq)]
pub struct Known {
    pub id: String,
    pub kind: ConcernKind,
    pub topic: String,
    pub text: String,
    pub station_id: String,
    pub photos: Vec<String>,
    pub server: Option<Concern>,
    /// Refused by the server (需处理): why.
    pub problem: Option<Problem>,
    /// When the phone queued it (milliseconds), or when the server received it.
    pub sort_ms: f64,
}

impl Known {
    fn from_server(c: &Concern) -> Known {
        Known {
            id: c.id.clone(),
            kind: c.kind,
            topic: c.topic.clone(),
            text: c.text.clone(),
            station_id: c.station_id.clone(),
            photos: c.photos.clone(),
            server: Some(c.clone()),
            problem: None,
            sort_ms: js_sys::Date::parse(&c.received_at),
        }
    }

    fn from_outbox(
        id: &str,
        s: ConcernSubmission,
        queued_ms: f64,
        problem: Option<Problem>,
    ) -> Known {
        Known {
            id: id.to_owned(),
            kind: s.kind,
            topic: s.topic,
            text: s.text,
            station_id: s.station_id,
            photos: s.photos,
            server: None,
            problem,
            sort_ms: queued_ms,
        }
    }

    pub fn status(&self) -> Option<ConcernStatus> {
        self.server.as_ref().map(|s| s.status)
    }

    /// Open: not delivered yet, received or accepted.
    pub fn is_open(&self) -> bool {
        self.status().is_none_or(|s| !s.is_closed())
    }

    /// Not answered yet and past the deadline to answer.
    pub fn overdue(&self, now_ms: f64) -> bool {
        self.server.as_ref().is_some_and(|s| {
            s.replied_at.is_none()
                && !s.status.is_closed()
                && js_sys::Date::parse(&s.reply_deadline) < now_ms
        })
    }
}

/// Every concern the phone knows, newest first: the server's, and those still in the outbox.
pub fn known_concerns(app: AppContext) -> Vec<Known> {
    let mut all: Vec<Known> = app
        .concerns
        .with(|cs| cs.iter().map(Known::from_server).collect());
    app.outbox.with(|o| {
        for e in o {
            if let Some(s) = e.content::<ConcernSubmission>(OutboxKind::Concern) {
                if !all.iter().any(|k| k.id == e.id) {
                    all.push(Known::from_outbox(&e.id, s, e.queued_ms, e.problem.clone()));
                }
            }
        }
    });
    all.sort_by(|a, b| b.sort_ms.total_cmp(&a.sort_ms));
    all
}

pub fn kind_name(t: &Texts, kind: ConcernKind) -> &'static str {
    match kind {
        ConcernKind::Difficulty => t.concern_kind_difficulty,
        ConcernKind::Suggestion => t.concern_kind_suggestion,
    }
}

pub fn concern_status_name(t: &Texts, status: ConcernStatus) -> &'static str {
    match status {
        ConcernStatus::Received => t.concern_status_received,
        ConcernStatus::Accepted => t.concern_status_accepted,
        ConcernStatus::Resolved => t.concern_status_resolved,
        ConcernStatus::Adopted => t.concern_status_adopted,
        ConcernStatus::Declined => t.concern_status_declined,
    }
}

/// A topic's name in the current language (its code when the phone does not know it).
pub fn topic_name(app: AppContext, code: &str) -> String {
    let english = app.lang.get().is_english();
    app.reference.with(|r| {
        r.concern_topics
            .iter()
            .find(|t| t.code == code)
            .map_or_else(
                || code.to_owned(),
                |t| {
                    if english {
                        t.name_en.clone()
                    } else {
                        t.name_zh.clone()
                    }
                },
            )
    })
}

/// A station's name (its id when the phone does not know it).
pub fn station_name(app: AppContext, id: &str) -> String {
    app.reference.with(|r| {
        r.stations
            .iter()
            .find(|s| s.id == id)
            .map_or_else(|| id.to_owned(), |s| s.name.clone())
    })
}

/// One concern in a list: its kind and topic, the first words, its state, and — for the staff — whether its answer
/// is overdue.
#[component]
pub fn ConcernRow(concern: Known) -> impl IntoView {
    let app = use_app();
    let href = format!("/concerns/{}", concern.id);
    let status = concern.status();
    let problem = concern.problem.clone();
    let overdue = concern.overdue(js_sys::Date::now());
    // The first line; the row cuts it with an ellipsis where the screen ends.
    let excerpt: String = concern
        .text
        .lines()
        .next()
        .unwrap_or_default()
        .chars()
        .take(80)
        .collect();
    let (kind, topic) = (concern.kind, concern.topic.clone());
    let when = concern
        .server
        .as_ref()
        .map(|s| local_time(&s.received_at))
        .unwrap_or_default();
    let rider = concern.server.as_ref().map(|s| s.rider_name.clone());
    view! {
        <li class="card report-row" data-testid="concern-row" data-status=status.map_or("queued", |s| s.code())>
            <a class="row-link" href=href>
                <span class="row-title">{move || kind_name(app.t(), kind)}" · "{move || topic_name(app, &topic)}</span>
                <span class="row-excerpt">{excerpt}</span>
                <span class="muted">{when}{rider.filter(|_| app.role() != Some(Role::Rider)).map(|r| view! { " · "<span class="data">{r}</span> })}</span>
                <span class="badges">
                    {overdue.then(|| view! { <span class="badge badge-urgent">{app.text(|t| t.concern_overdue)}</span> })}
                    <span class="badge">{move || match (status, problem.is_some()) {
                        (Some(s), _) => concern_status_name(app.t(), s),
                        (None, true) => app.t().state_needs_attention,
                        (None, false) => app.t().state_queued,
                    }}</span>
                </span>
            </a>
        </li>
    }
}

/// 我的诉求与金点子, in 我的上报: the rider's concerns and the way to raise one.
#[component]
pub fn MyConcerns() -> impl IntoView {
    let app = use_app();
    let list = move || known_concerns(app);
    view! {
        <section class="card" data-testid="my-concerns">
            <h2>{app.text(|t| t.concern_my_title)}</h2>
            <p class="muted">{app.text(|t| t.concern_my_hint)}</p>
            <a class="button wide secondary" href="/concerns/new" data-testid="raise-concern">{app.text(|t| t.concern_new_button)}</a>
        </section>
        <ul class="plain-list report-list" data-testid="my-concern-list">
            {move || list().into_iter().map(|c| view! { <ConcernRow concern=c /> }).collect_view()}
        </ul>
    }
}

/// 骑手诉求: the concerns of the staff's station (a department's: those forwarded to it; an admin's: all), open
/// ones first, those past their deadline to answer marked.
#[component]
pub fn ConcernsPage() -> impl IntoView {
    let app = use_app();
    let list = move || {
        let mut all = known_concerns(app);
        all.sort_by_key(|c| !c.is_open());
        all
    };
    let open = move || list().iter().filter(|c| c.is_open()).count();
    let staff = move || app.role() == Some(Role::StationStaff);
    view! {
        <PageHeader title=|t| t.concerns_title />
        <p class="muted summary" data-testid="concerns-open">{move || fill(app.t().concerns_open_count, &[("n", &open().to_string())])}</p>
        <Show when=staff>
            <p><a class="button wide secondary" href="/concerns/new" data-testid="raise-concern">{app.text(|t| t.concern_counter_button)}</a></p>
        </Show>
        <Show when=move || !list().is_empty() fallback=move || view! { <section class="card"><p>{app.text(|t| t.concerns_empty)}</p></section> }>
            <ul class="plain-list report-list" data-testid="concern-list">
                {move || list().into_iter().map(|c| view! { <ConcernRow concern=c /> }).collect_view()}
            </ul>
        </Show>
    }
}
