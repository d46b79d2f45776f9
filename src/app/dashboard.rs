//! 数据看板: the district's figures for officials and admins — headline figures with their 环比 (and 同比 when
//! there is a year before), the grids drawn from their own polygons in their 红黄绿 colours with the reasons, the
//! open tasks and recurring hotspots on them, a trend per week or month, a table per level that drills down
//! 街道 → 社区 → 网格 with each row's colour, and the reports of the period as CSV or XLSX. The last figures fetched
//! are kept on the phone, so the page opens offline and says how old they are.
use leptos::prelude::*;
use serde::{de::DeserializeOwned, Deserialize, Serialize};

use crate::app::components::{GridMap, MapPoint, MapShape, PointKind, ReportsExport};
use crate::app::format::{category_label, color_name, reason_text};
use crate::app::{use_app, AppContext, PageHeader};
use crate::client::api::get_json;
use crate::domain::figures::{Every, Figures, Stats, Trend};
use crate::domain::warnings::{Color, ColorChange, MapPoints, RollUp, Warning};
use crate::domain::{GeoPoint, Grid};
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

    /// The same narrowing as more query parameters (for the trend and the export).
    fn filter(&self) -> String {
        let enc = |s: &str| String::from(js_sys::encode_uri_component(s));
        match self {
            Level::Streets => String::new(),
            Level::Communities(street) => format!("&street={}", enc(street)),
            Level::Grids(street, community) => {
                format!("&street={}&community={}", enc(street), enc(community))
            }
        }
    }

    /// Whether a grid is in the part of the district this level shows.
    fn shows(&self, grid: &Grid) -> bool {
        match self {
            Level::Streets => true,
            Level::Communities(street) => grid.street == *street,
            Level::Grids(street, community) => {
                grid.street == *street && grid.community == *community
            }
        }
    }

    /// Whether a grid belongs to the table row keyed `key` at this level.
    fn row_has(&self, key: &str, grid: &Grid) -> bool {
        self.shows(grid)
            && match self {
                Level::Streets => grid.street == key,
                Level::Communities(_) => grid.community == key,
                Level::Grids(..) => grid.id == key,
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
fn Headline(now: Figures, before: Figures, year: Option<Figures>) -> impl IntoView {
    let app = use_app();
    let t = app.t();
    // Each figure as a number, beside the period before (环比) and, when there is one, the year before (同比).
    let vs = |pick: fn(&Figures) -> f64| {
        let mut said = change(pick(&now), pick(&before))
            .map(|c| format!("{} {c}", t.dashboard_vs_previous))
            .unwrap_or_else(|| t.dashboard_no_previous.into());
        if let Some(c) = year.as_ref().and_then(|y| change(pick(&now), pick(y))) {
            said.push_str(&format!(" · {} {c}", t.dashboard_year_before));
        }
        said
    };
    let figures = [
        (
            t.dashboard_received,
            now.received.to_string(),
            vs(|f| f.received as f64),
        ),
        (
            t.dashboard_resolution_rate,
            now.resolution_rate.map_or("—".into(), percent),
            vs(|f| f.resolution_rate.unwrap_or(0.0)),
        ),
        (
            t.dashboard_overdue,
            now.overdue.to_string(),
            vs(|f| f.overdue as f64),
        ),
        (
            t.dashboard_satisfaction,
            now.satisfaction.map_or("—".into(), percent),
            vs(|f| f.satisfaction.unwrap_or(0.0)),
        ),
        (
            t.dashboard_respond,
            duration(app, now.respond_minutes_p50),
            vs(|f| f.respond_minutes_p50.unwrap_or(0.0)),
        ),
        (
            t.dashboard_resolve,
            duration(app, now.resolve_minutes_p50),
            vs(|f| f.resolve_minutes_p50.unwrap_or(0.0)),
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

/// The grids of the level in their colours, with the open tasks and recurring hotspots on them.
#[component]
fn WarningMap(level: Level, warnings: Vec<Warning>, points: Option<MapPoints>) -> impl IntoView {
    let app = use_app();
    let t = app.t();
    let truncated = points.as_ref().is_some_and(|p| p.truncated);
    let drawing =
        move || {
            app.reference.with(|r| {
                let grids: Vec<&Grid> = r
                    .grids
                    .iter()
                    .filter(|g| !g.retired && level.shows(g))
                    .collect();
                let shapes: Vec<MapShape> = grids
                    .iter()
                    .map(|g| {
                        let w = warnings.iter().find(|w| w.grid_id == g.id);
                        let why: Vec<String> = w
                            .map(|w| w.causes.iter().map(|c| reason_text(t, c)).collect())
                            .unwrap_or_default();
                        let mut title = format!("{} · {}", g.name, g.community);
                        if !why.is_empty() {
                            title.push_str(&format!(" · {}", why.join(" · ")));
                        }
                        MapShape {
                            id: g.id.clone(),
                            rings: MapShape::rings_of(g),
                            color: Some(w.map_or(Color::Green, |w| w.color)),
                            shade: 0,
                            title,
                        }
                    })
                    .collect();
                let shown = |grid: &str| grids.iter().any(|g| g.id == grid);
                let mut dots: Vec<MapPoint> = vec![];
                if let Some(p) = &points {
                    dots.extend(
                        p.tasks
                            .iter()
                            .filter(|k| shown(&k.grid_id))
                            .map(|k| MapPoint {
                                id: k.id.clone(),
                                at: GeoPoint::new(k.lat, k.lon),
                                kind: if k.overdue {
                                    PointKind::Overdue
                                } else {
                                    PointKind::Task
                                },
                                title: format!(
                                    "{}{}",
                                    category_label(&k.category),
                                    if k.overdue {
                                        format!(" · {}", t.task_overdue)
                                    } else {
                                        String::new()
                                    }
                                ),
                                href: None,
                            }),
                    );
                    dots.extend(p.hotspots.iter().filter(|h| shown(&h.grid_id)).map(|h| {
                        MapPoint {
                            id: format!("hotspot-{}-{:.5}-{:.5}", h.category, h.lat, h.lon),
                            at: GeoPoint::new(h.lat, h.lon),
                            kind: PointKind::Hotspot,
                            title: fill(
                                t.map_hotspot_title,
                                &[
                                    ("category", &category_label(&h.category)),
                                    ("n", &h.reports.to_string()),
                                ],
                            ),
                            href: None,
                        }
                    }));
                }
                (shapes, dots)
            })
        };
    view! {
        <section class="card" data-testid="warning-map">
            <h2>{t.dashboard_map_title}</h2>
            {move || {
                let (shapes, points) = drawing();
                view! { <GridMap shapes=shapes points=points label=t.dashboard_map_title /> }
            }}
            <p class="map-legend muted">
                <span class="legend-task">{t.map_legend_task}</span>
                <span class="legend-overdue">{t.map_legend_overdue}</span>
                <span class="legend-hotspot">{t.map_legend_hotspot}</span>
            </p>
            {truncated.then(|| view! {
                <p class="muted">{fill(t.map_more_tasks, &[("n", &crate::domain::warnings::MAP_TASKS.to_string())])}</p>
            })}
        </section>
    }
}

const TREND_W: f64 = 640.0;
const TREND_H: f64 = 220.0;

/// The reports received per week or month as bars, with the resolved and the overdue of each beside them.
#[component]
fn TrendChart(trend: Trend) -> impl IntoView {
    let app = use_app();
    let t = app.t();
    let n = trend.points.len().max(1) as f64;
    let top = trend
        .points
        .iter()
        .map(|p| p.received)
        .max()
        .unwrap_or(0)
        .max(1) as f64;
    let (left, bottom, head) = (34.0, 24.0, 10.0);
    let plot_h = TREND_H - bottom - head;
    let slot = (TREND_W - left) / n;
    let bar = (slot * 0.28).max(1.0);
    let y = move |v: i64| head + plot_h - v as f64 / top * plot_h;
    // Label about eight buckets at most, so the dates never overlap.
    let every_nth = (trend.points.len() / 8).max(1);
    let bars = trend
        .points
        .iter()
        .enumerate()
        .map(|(i, p)| {
            let x = left + i as f64 * slot + slot * 0.08;
            let rect = |class: &'static str, k: f64, v: i64, what: &'static str| {
                let h = (v as f64 / top * plot_h).max(0.0);
                view! {
                    <rect class=class x=format!("{:.1}", x + k * bar) y=format!("{:.1}", y(v)) width=format!("{bar:.1}")
                        height=format!("{h:.1}")><title>{format!("{} – {} · {what} {v}", p.period.from, p.period.to)}</title></rect>
                }
            };
            let label = (i % every_nth == 0).then(|| {
                let text = match trend.every {
                    Every::Week => p.period.from[5..].to_owned(),
                    Every::Month => p.period.from[..7].to_owned(),
                };
                view! { <text class="trend-axis" x=format!("{:.1}", x) y=format!("{:.1}", TREND_H - 6.0)>{text}</text> }
            });
            view! {
                <g data-bucket=p.period.from.clone() data-received=p.received>
                    {rect("trend-received", 0.0, p.received, t.dashboard_received)}
                    {rect("trend-resolved", 1.0, p.resolved, t.dashboard_resolved)}
                    {rect("trend-overdue", 2.0, p.overdue, t.dashboard_overdue)}
                    {label}
                </g>
            }
        })
        .collect_view();
    view! {
        <svg class="trend-svg" viewBox=format!("0 0 {TREND_W} {TREND_H}") role="img" aria-label=t.dashboard_trend_title>
            <text class="trend-axis" x="0" y=format!("{:.1}", head + 4.0)>{top as i64}</text>
            <text class="trend-axis" x="0" y=format!("{:.1}", head + plot_h)>"0"</text>
            <line x1=left y1=head + plot_h x2=TREND_W y2=head + plot_h stroke="currentColor" stroke-width="1" />
            {bars}
        </svg>
        <p class="map-legend muted">
            <span class="legend-received">{t.dashboard_received}</span>
            <span class="legend-resolved">{t.dashboard_resolved}</span>
            <span class="legend-overdue">{t.dashboard_overdue}</span>
        </p>
    }
}

const STRIP_W: f64 = 300.0;
const STRIP_H: f64 = 14.0;

/// One grid's colour over the days `from`–`to` as a strip of red, yellow and green (降级转化 at a glance).
#[component]
fn ColourStrip(grid: Grid, from: String, to: String) -> impl IntoView {
    let app = use_app();
    let path = format!(
        "/warnings/history?grid_id={}",
        js_sys::encode_uri_component(&grid.id)
    );
    let history = LocalResource::new(move || fetch_kept::<Vec<ColorChange>>(app, path.clone()));
    let day = |d: &str| js_sys::Date::parse(&format!("{d}T00:00:00+08:00"));
    let (start, end) = (day(&from), day(&to) + 86_400_000.0);
    let strip = move || {
        let (changes, _) = history.get().flatten()?;
        let span = (end - start).max(1.0);
        let x = |t: f64| ((t - start) / span * STRIP_W).clamp(0.0, STRIP_W);
        let times: Vec<(f64, Color)> = changes
            .iter()
            .map(|c| (js_sys::Date::parse(&c.at), c.color))
            .collect();
        // The colour the period starts with: the last change before it (green when none was recorded yet).
        let mut colour = times
            .iter()
            .rev()
            .find(|(t, _)| *t <= start)
            .map_or(Color::Green, |(_, c)| *c);
        let mut at = start;
        let mut parts = vec![];
        // One stretch per colour (a change of reasons alone starts none).
        for &(t, c) in times.iter().filter(|(t, _)| *t > start && *t < end) {
            if c != colour {
                parts.push((x(at), x(t), colour));
                (at, colour) = (t, c);
            }
        }
        parts.push((x(at), x(end.min(js_sys::Date::now())), colour));
        Some(view! {
            <svg class="colour-strip" viewBox=format!("0 0 {STRIP_W} {STRIP_H}") role="img"
                aria-label=fill(app.t().dashboard_history_now, &[("color", color_name(app.t(), colour))])
                data-now=colour.code()>
                {parts.into_iter().filter(|(a, b, _)| b > a).map(|(a, b, c)| view! {
                    <rect class=format!("warn-{}", c.code()) data-color=c.code() x=format!("{a:.1}") y="0"
                        width=format!("{:.1}", b - a) height=STRIP_H />
                }).collect_view()}
            </svg>
        })
    };
    view! {
        <li class="history-row" data-grid=grid.id.clone()>
            <span class="data">{grid.name.clone()}</span>
            <Transition>{strip}</Transition>
        </li>
    }
}

/// The colour of a table row: its grid's, or rolled up from the grids of its 社区 or 街道; with the reasons or the
/// count of grids of each colour.
fn row_color(
    app: AppContext,
    level: &Level,
    key: &str,
    warnings: &[Warning],
) -> Option<(Color, String)> {
    let t = app.t();
    app.reference.with(|r| {
        let grids: Vec<&Grid> = r
            .grids
            .iter()
            .filter(|g| !g.retired && level.row_has(key, g))
            .collect();
        let colors = grids.iter().map(|g| {
            warnings
                .iter()
                .find(|w| w.grid_id == g.id)
                .map_or(Color::Green, |w| w.color)
        });
        match level {
            Level::Grids(..) => {
                let w = warnings.iter().find(|w| w.grid_id == key)?;
                let why: Vec<String> = w.causes.iter().map(|c| reason_text(t, c)).collect();
                Some((w.color, why.join(" · ")))
            }
            _ if grids.is_empty() => None,
            _ => {
                let r = RollUp::of(colors);
                let said = fill(
                    t.rollup_grids,
                    &[
                        ("red", &r.red.to_string()),
                        ("yellow", &r.yellow.to_string()),
                        ("green", &r.green.to_string()),
                    ],
                );
                Some((r.color(), said))
            }
        }
    })
}

#[component]
pub fn DashboardPage() -> impl IntoView {
    let app = use_app();
    let (first, today) = month_so_far();
    let from = RwSignal::new(first);
    let to = RwSignal::new(today);
    let level = RwSignal::new(Level::Streets);
    let every = RwSignal::new(Every::Week);
    let stats = LocalResource::new(move || {
        let path = format!(
            "/stats?from={}&to={}&{}",
            from.get(),
            to.get(),
            level.get().query()
        );
        fetch_kept::<Stats>(app, path)
    });
    let trend = LocalResource::new(move || {
        let every = match every.get() {
            Every::Week => "week",
            Every::Month => "month",
        };
        let path = format!(
            "/stats/trend?from={}&to={}&every={every}{}",
            from.get(),
            to.get(),
            level.get().filter()
        );
        fetch_kept::<Trend>(app, path)
    });
    let warnings = LocalResource::new(move || fetch_kept::<Vec<Warning>>(app, "/warnings".into()));
    let points = LocalResource::new(move || fetch_kept::<MapPoints>(app, "/warnings/map".into()));
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
        Some(view! { <Headline now=s.total before=s.total_previous year=s.total_year_before /> })
    };
    let map = move || {
        let (w, _) = warnings.get().flatten()?;
        let p = points.get().flatten().map(|(p, _)| p);
        Some(view! { <WarningMap level=level.get() warnings=w points=p /> })
    };
    let chart = move || {
        let (trend, _) = trend.get().flatten()?;
        Some(view! { <TrendChart trend=trend /> })
    };
    let table = move || {
        let (s, _) = stats.get().flatten()?;
        let shown = level.get();
        let colours = warnings.get().flatten().map(|(w, _)| w).unwrap_or_default();
        // The rows' colours come from the grids of the phone's reference data: drawn again when it arrives.
        app.reference.track();
        Some(view! { <LevelTable stats=s shown=shown level=level colours=colours /> })
    };
    let every_button = move |e: Every, label: fn(&'static crate::i18n::Texts) -> &'static str| {
        view! {
            <button type="button" class="button secondary" aria-pressed=move || (every.get() == e).to_string()
                on:click=move |_| every.set(e)>{move || label(app.t())}</button>
        }
    };
    view! {
        <PageHeader title=|t| t.dashboard_title />
        <p class="intro">{app.text(|t| t.dashboard_intro)}</p>
        <div class="date-range">
            <label class="field">{app.text(|t| t.export_from)}
                <input type="date" class="text" data-testid="dashboard-from" prop:value=move || from.get()
                    on:change=move |ev| from.set(event_target_value(&ev)) />
            </label>
            <label class="field">{app.text(|t| t.export_to)}
                <input type="date" class="text" data-testid="dashboard-to" prop:value=move || to.get()
                    on:change=move |ev| to.set(event_target_value(&ev)) />
            </label>
        </div>
        {move || kept_at().map(|k| view! { <p class="notice" role="status" data-testid="dashboard-kept">{k}</p> })}
        <Transition>{headline}</Transition>
        <div class="console">
            <div class="console-side">
                <Transition>{map}</Transition>
                <section class="card" data-testid="trend">
                    <h2>{app.text(|t| t.dashboard_trend_title)}</h2>
                    <div class="action-buttons">
                        {every_button(Every::Week, |t| t.dashboard_by_week)}
                        {every_button(Every::Month, |t| t.dashboard_by_month)}
                    </div>
                    <Transition>{chart}</Transition>
                </section>
            </div>
            <div class="console-side">
                <Transition>{table}</Transition>
                {move || {
                    let lvl = level.get();
                    matches!(lvl, Level::Grids(..)).then(|| {
                        let grids: Vec<Grid> = app.reference.with(|r| {
                            r.grids.iter().filter(|g| !g.retired && lvl.shows(g)).cloned().collect()
                        });
                        view! {
                            <section class="card" data-testid="colour-history">
                                <h2>{app.t().dashboard_history_title}</h2>
                                <ul class="plain-list">
                                    {grids.into_iter().map(|g| view! {
                                        <ColourStrip grid=g from=from.get() to=to.get() />
                                    }).collect_view()}
                                </ul>
                            </section>
                        }
                    })
                }}
                <ConcernsCard from=from to=to />
                <section class="card" data-testid="dashboard-export">
                    <h2>{app.text(|t| t.export_reports_title)}</h2>
                    <ReportsExport from=from to=to filter=Signal::derive(move || level.get().filter()) />
                </section>
            </div>
        </div>
    }
}

/// 青亲暖新: the riders' concerns of the period per station — received, answered in time, resolved, adopted — with
/// the 办结率, and the district's total.
#[component]
fn ConcernsCard(from: RwSignal<String>, to: RwSignal<String>) -> impl IntoView {
    use crate::domain::concern::{ConcernFigures, ConcernStats};
    let app = use_app();
    let stats = LocalResource::new(move || {
        let path = format!("/stats/concerns?from={}&to={}", from.get(), to.get());
        fetch_kept::<ConcernStats>(app, path)
    });
    let row = |name: String, f: ConcernFigures, total: bool| {
        let rate = f.resolution_rate.map_or_else(|| "—".to_owned(), percent);
        view! {
            <tr class=total.then_some("total")>
                <th scope="row">{name}</th>
                <td>{f.received}</td>
                <td>{f.answered_in_time}</td>
                <td>{f.resolved}</td>
                <td>{f.adopted}</td>
                <td>{rate}</td>
            </tr>
        }
    };
    let table = move || {
        let (s, _) = stats.get().flatten()?;
        let total_name = app.t().concern_total.to_owned();
        Some(view! {
            <table class="figures" data-testid="concern-figures">
                <thead><tr>
                    <th scope="col">{app.t().dashboard_name}</th>
                    <th scope="col">{app.t().concern_col_received}</th>
                    <th scope="col">{app.t().concern_col_in_time}</th>
                    <th scope="col">{app.t().concern_col_resolved}</th>
                    <th scope="col">{app.t().concern_col_adopted}</th>
                    <th scope="col">{app.t().concern_col_rate}</th>
                </tr></thead>
                <tbody>
                    {s.rows.into_iter().map(|r| row(r.name, r.figures, false)).collect_view()}
                    {row(total_name, s.total, true)}
                </tbody>
            </table>
        })
    };
    view! {
        <section class="card" data-testid="dashboard-concerns">
            <h2>{app.text(|t| t.dashboard_concerns_title)}</h2>
            <Transition>{table}</Transition>
        </section>
    }
}

/// The figures of each part of the level (a row each, with its 红黄绿 colour and why), each part opening the level
/// below (`level` is set to it); a button back up. `shown` is the level the figures are of.
#[component]
fn LevelTable(
    stats: Stats,
    shown: Level,
    level: RwSignal<Level>,
    colours: Vec<Warning>,
) -> impl IntoView {
    let app = use_app();
    let s = stats;
    let lvl = shown;
    view! {
        <section class="card" data-testid="level-table">
            <h2>{app.text(|t| t.dashboard_table_title)}</h2>
            {lvl.up().map(|up| view! {
                <button type="button" class="button secondary" on:click=move |_| level.set(up.clone())>
                    {app.text(|t| t.dashboard_back)}
                </button>
            })}
            {s.rows.is_empty().then(|| view! { <p class="muted">{app.text(|t| t.dashboard_none)}</p> })}
            <div class="table-scroll">
            <table class="figures">
                <thead><tr>
                    <th>{app.t().dashboard_name}</th><th>{app.t().dashboard_color}</th>
                    <th>{app.t().dashboard_received}</th>
                    <th>{app.t().dashboard_open}</th><th>{app.t().dashboard_overdue}</th>
                    <th>{app.t().dashboard_resolved}</th><th>{app.t().dashboard_resolution_rate}</th>
                    <th>{app.t().dashboard_vs_previous}</th>
                </tr></thead>
                <tbody>
                    {s.rows.into_iter().map(|row| {
                        let next = lvl.down(&row.key);
                        let drill = next.clone().map(|n| move |_| level.set(n.clone()));
                        let name = row.name.clone();
                        let colour = row_color(app, &lvl, &row.key, &colours);
                        let colour_code = colour.as_ref().map(|(c, _)| c.code());
                        view! {
                            <tr data-key=row.key.clone()>
                                <td class="data">{match drill {
                                    Some(go) => view! { <button type="button" class="link-button" on:click=go>{name}</button> }.into_any(),
                                    None => view! { <span>{name}</span> }.into_any(),
                                }}</td>
                                <td class="data color-cell" data-color=colour_code>
                                    {colour.map(|(c, why)| view! {
                                        <span class=format!("color-dot warn-{}", c.code())></span>
                                        {color_name(app.t(), c)}
                                        {(!why.is_empty()).then(|| view! { <span class="muted">" · "{why}</span> })}
                                    })}
                                </td>
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
    }
}
