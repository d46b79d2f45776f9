//! 数据看板: the district's figures for officials and admins — headline figures with their 环比, the grids drawn
//! from their own polygons in their 红黄绿 colours (with the reasons), and a table per level that drills down
//! 街道 → 社区 → 网格. The last figures fetched are kept on the phone, so the page opens offline and says how old
//! they are.
use leptos::prelude::*;
use serde::{de::DeserializeOwned, Deserialize, Serialize};

use crate::app::{use_app, AppContext, PageHeader};
use crate::client::api::get_json;
use crate::domain::figures::{Figures, Stats};
use crate::domain::map::Projection;
use crate::domain::warnings::{Color, Warning};
use crate::i18n::fill;

/// Where the table stands: the 街道, one 街道's 社区, or one 社区's grids.
#[derive(Debug, Clone, PartialEq)]
enum Level {
    Streets,
    Communities(String),
    Grids(String, String),
}

impl Level {
    fn query(&self) -> String {
        let enc = |s: &str| String::from(js_sys::encode_uri_component(s));
        match self {
            Level::Streets => "by=street".into(),
            Level::Communities(street) => format!("by=community&street={}", enc(street)),
            Level::Grids(street, community) => {
                format!(
                    "by=grid&street={}&community={}",
                    enc(street),
                    enc(community)
                )
            }
        }
    }

    fn down(&self, key: &str) -> Option<Level> {
        match self {
            Level::Streets => Some(Level::Communities(key.into())),
            Level::Communities(street) => Some(Level::Grids(street.clone(), key.into())),
            Level::Grids(..) => None,
        }
    }

    fn up(&self) -> Option<Level> {
        match self {
            Level::Streets => None,
            Level::Communities(_) => Some(Level::Streets),
            Level::Grids(street, _) => Some(Level::Communities(street.clone())),
        }
    }
}

/// An answer and, when it is the phone's kept copy (offline), when it was fetched.
#[derive(Clone, Serialize, Deserialize)]
struct Kept<T> {
    value: T,
    fetched_at: String,
}

/// `path` from the server (kept on the phone), or the copy kept last time with its time.
async fn fetch_kept<T>(app: AppContext, path: String) -> Option<(T, Option<String>)>
where
    T: Clone + Serialize + DeserializeOwned,
{
    let store = app.store();
    let key = format!("dashboard:{path}");
    match get_json::<T>(&path, app.token().as_deref()).await {
        Ok(value) => {
            if let Some(store) = &store {
                let now = String::from(js_sys::Date::new_0().to_iso_string());
                let kept = Kept {
                    value: value.clone(),
                    fetched_at: now,
                };
                let _ = store.set_last_known(&key, &kept).await;
            }
            Some((value, None))
        }
        Err(_) => {
            let kept: Kept<T> = store?.last_known(&key).await.ok()??;
            Some((kept.value, Some(kept.fetched_at)))
        }
    }
}

/// This month so far, in the phone's calendar.
pub fn month_so_far() -> (String, String) {
    let today = js_sys::Date::new_0();
    let day = |d: u32| {
        format!(
            "{:04}-{:02}-{:02}",
            today.get_full_year(),
            today.get_month() + 1,
            d
        )
    };
    (day(1), day(today.get_date()))
}

fn percent(x: f64) -> String {
    format!("{:.0}%", x * 100.0)
}

fn duration(app: AppContext, minutes: Option<f64>) -> String {
    match minutes {
        None => "—".into(),
        Some(m) if m < 120.0 => fill(app.t().dashboard_minutes, &[("n", &format!("{m:.0}"))]),
        Some(m) => fill(
            app.t().dashboard_hours,
            &[("n", &format!("{:.1}", m / 60.0))],
        ),
    }
}

/// 环比: the change from the previous period, with its sign (`+12%`, `−8.5%`); none when there was nothing before.
fn change(now: f64, before: f64) -> Option<String> {
    (before > 0.0).then(|| {
        let c = (now - before) / before * 100.0;
        let sign = if c > 0.0 {
            "+"
        } else if c < 0.0 {
            "−"
        } else {
            "±"
        };
        format!("{sign}{:.1}%", c.abs())
    })
}

#[component]
fn Headline(now: Figures, before: Figures) -> impl IntoView {
    let app = use_app();
    let t = app.t();
    let vs = |a: f64, b: f64| {
        change(a, b)
            .map(|c| format!("{} {c}", t.dashboard_vs_previous))
            .unwrap_or_else(|| t.dashboard_no_previous.into())
    };
    let rate = |f: &Figures| f.resolution_rate.unwrap_or(0.0);
    let figures = [
        (
            t.dashboard_received,
            now.received.to_string(),
            vs(now.received as f64, before.received as f64),
        ),
        (
            t.dashboard_resolution_rate,
            now.resolution_rate.map_or("—".into(), percent),
            vs(rate(&now), rate(&before)),
        ),
        (
            t.dashboard_overdue,
            now.overdue.to_string(),
            vs(now.overdue as f64, before.overdue as f64),
        ),
        (
            t.dashboard_respond,
            duration(app, now.respond_minutes_p50),
            vs(
                now.respond_minutes_p50.unwrap_or(0.0),
                before.respond_minutes_p50.unwrap_or(0.0),
            ),
        ),
        (
            t.dashboard_resolve,
            duration(app, now.resolve_minutes_p50),
            vs(
                now.resolve_minutes_p50.unwrap_or(0.0),
                before.resolve_minutes_p50.unwrap_or(0.0),
            ),
        ),
    ];
    view! {
        <section class="headline" data-testid="headline">
            {figures.into_iter().map(|(label, value, vs)| view! {
                <div class="figure">
                    <span class="figure-label">{label}</span>
                    <strong class="figure-value data">{value}</strong>
                    <span class="figure-change muted data">{vs}</span>
                </div>
            }).collect_view()}
        </section>
    }
}

const WIDTH: f64 = 640.0;
const HEIGHT: f64 = 420.0;

/// The grids drawn from their polygons, each in its colour, its reasons in its title.
#[component]
fn WarningMap(warnings: Vec<Warning>) -> impl IntoView {
    let app = use_app();
    let color_of = move |id: &str| warnings.iter().find(|w| w.grid_id == id).cloned();
    let drawing = move || {
        app.reference.with(|r| {
            let grids: Vec<_> = r.grids.iter().filter(|g| !g.retired).collect();
            let points = grids
                .iter()
                .flat_map(|g| g.polygon.iter().chain(g.more_rings.iter().flatten()).copied());
            let projection = Projection::fit(points, WIDTH, HEIGHT, 12.0)?;
            Some(
                grids
                    .iter()
                    .map(|g| {
                        let d = projection.path(std::iter::once(&g.polygon).chain(&g.more_rings));
                        let w = color_of(&g.id);
                        let color = w.as_ref().map_or(Color::Green, |w| w.color);
                        let why = w.map(|w| w.reasons.join(" · ")).unwrap_or_default();
                        let title = format!("{} · {}{}", g.name, g.community, if why.is_empty() { String::new() } else { format!(" · {why}") });
                        view! {
                            <path class=format!("grid-shape warn-{}", color.code()) data-grid=g.id.clone()
                                data-color=color.code() d=d fill-rule="evenodd"><title>{title}</title></path>
                        }
                    })
                    .collect_view(),
            )
        })
    };
    view! {
        <section class="card" data-testid="warning-map">
            <h2>{move || app.t().dashboard_map_title}</h2>
            // Its titles are data: the grids' names and reasons as the district wrote them.
            <svg class="district-svg data" viewBox=format!("0 0 {WIDTH} {HEIGHT}") role="img"
                aria-label=move || app.t().dashboard_map_title>
                {drawing}
            </svg>
        </section>
    }
}

#[component]
pub fn DashboardPage() -> impl IntoView {
    let app = use_app();
    let (first, today) = month_so_far();
    let from = RwSignal::new(first);
    let to = RwSignal::new(today);
    let level = RwSignal::new(Level::Streets);
    let stats = LocalResource::new(move || {
        let path = format!(
            "/stats?from={}&to={}&{}",
            from.get(),
            to.get(),
            level.get().query()
        );
        fetch_kept::<Stats>(app, path)
    });
    let warnings = LocalResource::new(move || fetch_kept::<Vec<Warning>>(app, "/warnings".into()));
    let kept_at = move || {
        stats.get().flatten().and_then(|(_, at)| at).map(|at| {
            fill(
                app.t().dashboard_cached,
                &[("time", &crate::app::format::local_time(&at))],
            )
        })
    };
    let headline = move || {
        let (s, _) = stats.get().flatten()?;
        Some(view! { <Headline now=s.total before=s.total_previous /> })
    };
    let table = move || {
        let (s, _) = stats.get().flatten()?;
        let lvl = level.get();
        Some(view! {
            <section class="card" data-testid="level-table">
                <h2>{move || app.t().dashboard_table_title}</h2>
                {lvl.up().map(|up| view! {
                    <button type="button" class="button secondary" on:click=move |_| level.set(up.clone())>
                        {move || app.t().dashboard_back}
                    </button>
                })}
                {s.rows.is_empty().then(|| view! { <p class="muted">{move || app.t().dashboard_none}</p> })}
                <div class="table-scroll">
                <table class="figures">
                    <thead><tr>
                        <th>{app.t().dashboard_name}</th><th>{app.t().dashboard_received}</th>
                        <th>{app.t().dashboard_open}</th><th>{app.t().dashboard_overdue}</th>
                        <th>{app.t().dashboard_resolved}</th><th>{app.t().dashboard_resolution_rate}</th>
                        <th>{app.t().dashboard_vs_previous}</th>
                    </tr></thead>
                    <tbody>
                        {s.rows.into_iter().map(|row| {
                            let next = lvl.down(&row.key);
                            let drill = next.clone().map(|n| move |_| level.set(n.clone()));
                            let name = row.name.clone();
                            view! {
                                <tr data-key=row.key.clone()>
                                    <td class="data">{match drill {
                                        Some(go) => view! { <button type="button" class="link-button" on:click=go>{name}</button> }.into_any(),
                                        None => view! { <span>{name}</span> }.into_any(),
                                    }}</td>
                                    <td class="data">{row.figures.received}</td>
                                    <td class="data">{row.figures.open}</td>
                                    <td class="data">{row.figures.overdue}</td>
                                    <td class="data">{row.figures.resolved}</td>
                                    <td class="data">{row.figures.resolution_rate.map_or("—".into(), percent)}</td>
                                    <td class="data">{change(row.figures.received as f64, row.previous.received as f64).unwrap_or("—".into())}</td>
                                </tr>
                            }
                        }).collect_view()}
                    </tbody>
                </table>
                </div>
            </section>
        })
    };
    view! {
        <PageHeader title=|t| t.dashboard_title />
        <p class="intro">{move || app.t().dashboard_intro}</p>
        <div class="date-range">
            <label class="field">{move || app.t().export_from}
                <input type="date" class="text" data-testid="dashboard-from" prop:value=move || from.get()
                    on:change=move |ev| from.set(event_target_value(&ev)) />
            </label>
            <label class="field">{move || app.t().export_to}
                <input type="date" class="text" data-testid="dashboard-to" prop:value=move || to.get()
                    on:change=move |ev| to.set(event_target_value(&ev)) />
            </label>
        </div>
        {move || kept_at().map(|k| view! { <p class="notice" role="status" data-testid="dashboard-kept">{k}</p> })}
        <Transition>{headline}</Transition>
        <div class="console">
            <Transition>
                {move || warnings.get().flatten().map(|(w, _)| view! { <WarningMap warnings=w /> })}
            </Transition>
            <Transition>{table}</Transition>
        </div>
    }
}
