//! The pages a role may open, and the bottom tab bar that shows them: within thumb reach, one tap each.
use leptos::prelude::*;
use leptos_router::components::Redirect;
use leptos_router::hooks::use_location;

use super::icons::{Icon, IconKind};
use super::{use_app, AppContext};
use crate::domain::Role;
use crate::i18n::{fill, Texts};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tab {
    Report,
    MyReports,
    Tasks,
    Checkins,
    Concerns,
    Stations,
    Pass,
    Settings,
    District,
    Dashboard,
}

impl Tab {
    pub fn href(self) -> &'static str {
        match self {
            Tab::Report => "/",
            Tab::MyReports => "/my-reports",
            Tab::Tasks => "/tasks",
            Tab::Checkins => "/checkins",
            Tab::Concerns => "/concerns",
            Tab::Stations => "/stations",
            Tab::Pass => "/pass",
            Tab::Settings => "/settings",
            Tab::District => "/district",
            Tab::Dashboard => "/dashboard",
        }
    }

    fn icon(self) -> IconKind {
        match self {
            Tab::Report => IconKind::Camera,
            Tab::MyReports => IconKind::List,
            Tab::Tasks => IconKind::Tasks,
            Tab::Checkins => IconKind::Checkin,
            Tab::Concerns => IconKind::Concern,
            Tab::Stations => IconKind::Station,
            Tab::Pass => IconKind::Pass,
            Tab::Settings => IconKind::Settings,
            Tab::District => IconKind::Map,
            Tab::Dashboard => IconKind::Chart,
        }
    }

    fn label(self, t: &'static Texts) -> &'static str {
        match self {
            Tab::Report => t.tab_report,
            Tab::MyReports => t.tab_my_reports,
            Tab::Tasks => t.tab_tasks,
            Tab::Checkins => t.tab_checkins,
            Tab::Concerns => t.tab_concerns,
            Tab::Stations => t.tab_stations,
            Tab::Pass => t.tab_pass,
            Tab::Settings => t.tab_settings,
            Tab::District => t.tab_district,
            Tab::Dashboard => t.tab_dashboard,
        }
    }

    /// The tabs of a role, its home first.
    pub fn for_role(role: Role) -> &'static [Tab] {
        use Tab::*;
        match role {
            Role::Rider => &[Report, MyReports, Stations, Pass, Settings],
            Role::GridWorker => &[Tasks, Report, MyReports, Settings],
            Role::StationStaff => &[Checkins, Concerns, Stations, Settings],
            // The tasks called to their department first, then the riders' concerns forwarded to it; anyone may
            // report a hazard they see.
            Role::DepartmentStaff => &[Tasks, Concerns, Report, MyReports, Settings],
            // An official watches the figures; they may report what they see too.
            Role::Official => &[Dashboard, Report, MyReports, Settings],
            // No 签到 (it belongs to a station's counter) and no 驿站码 (only riders have a pass).
            // 管理 first: the district's console is the admin's home.
            Role::Admin => &[
                District, Dashboard, Tasks, Report, MyReports, Stations, Settings,
            ],
        }
    }

    /// Whether `role` may open this tab's pages: its own tabs, and the concern pages for riders (they raise and
    /// follow their concerns from 我的上报) and admins (from the district's console: seven tabs fill a phone).
    pub fn open_to(self, role: Role) -> bool {
        Tab::for_role(role).contains(&self)
            || (self == Tab::Concerns && matches!(role, Role::Rider | Role::Admin))
    }
}

/// The user's resolved reports asking for a verdict, less those whose verdict waits in the outbox.
fn awaiting_verdict(app: AppContext) -> usize {
    let now = crate::client::unix_now();
    let queued: Vec<String> = app.outbox.with(|o| {
        o.iter()
            .filter_map(|e| e.verdict())
            .map(|v| v.report_id)
            .collect()
    });
    let me = app
        .session
        .with(|s| s.as_ref().map(|s| s.user.id.clone()).unwrap_or_default());
    app.reports.with(|reports| {
        // The user's own reports, and the originals their duplicates follow (a worker's phone holds others too).
        let followed: Vec<&str> = reports
            .iter()
            .filter(|r| r.is_mine(&me))
            .filter_map(|r| r.server.as_ref()?.duplicate_of.as_deref())
            .collect();
        reports
            .iter()
            .filter(|r| r.is_mine(&me) || followed.contains(&r.id.as_str()))
            .filter_map(|r| r.server.as_ref())
            .filter(|s| crate::domain::verdict::asks(s, now) && !queued.contains(&s.id))
            .count()
    })
}

/// The concerns on the staff's list that wait for their first answer.
fn awaiting_answer(app: AppContext) -> usize {
    app.concerns.with(|cs| {
        cs.iter()
            .filter(|c| c.replied_at.is_none() && !c.status.is_closed())
            .count()
    })
}

#[component]
pub fn TabBar() -> impl IntoView {
    let app = use_app();
    let location = use_location();
    let tabs = move || {
        let role = app.role()?;
        Some(
            Tab::for_role(role)
                .iter()
                .map(|&tab| {
                    let href = tab.href();
                    let current = move || (location.pathname.get() == href).then_some("page");
                    // 我的上报: how many resolved reports wait for the user's verdict; 任务: how many tasks wait
                    // for the user's first answer (接单, 报到).
                    let badge = move || {
                        let (n, told, testid) = match tab {
                            Tab::MyReports => (awaiting_verdict(app), app.t().verdict_badge, "verdict-badge"),
                            Tab::Tasks => (app.awaiting_me().len(), app.t().tasks_badge, "tasks-badge"),
                            Tab::Concerns => (awaiting_answer(app), app.t().concerns_badge, "concerns-badge"),
                            _ => return None,
                        };
                        (n > 0).then(|| (n, fill(told, &[("n", &n.to_string())]), testid))
                    };
                    view! {
                        // The count is told as the tab's description, so the tab keeps its name.
                        <a class="tab" href=href aria-current=current
                            aria-description=move || badge().map(|b| b.1)>
                            <Icon kind=tab.icon() />
                            <span class="tab-label">{move || tab.label(app.t())}</span>
                            {move || badge().map(|(n, _, testid)| view! {
                                <span class="tab-badge" data-testid=testid aria-hidden="true">{n}</span>
                            })}
                        </a>
                    }
                })
                .collect_view(),
        )
    };
    let columns = move || {
        let n = app.role().map_or(1, |r| Tab::for_role(r).len());
        format!("grid-template-columns: repeat({n}, 1fr)")
    };
    view! {
        <nav class="tab-bar" style=columns aria-label=app.text(|t| t.tabs_label)>
            {tabs}
        </nav>
    }
}

/// Shows `children` when the signed-in role has this tab; otherwise goes to the role's home page.
#[component]
pub fn Gated(tab: Tab, children: ChildrenFn) -> impl IntoView {
    let app = use_app();
    move || match app.role() {
        Some(role) if tab.open_to(role) => children().into_any(),
        Some(role) => view! { <Redirect path=Tab::for_role(role)[0].href() /> }.into_any(),
        None => ().into_any(),
    }
}
