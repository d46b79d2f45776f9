//! A map drawn from our own polygons as SVG (no map tiles: it works offline and on our server alone): grids in
//! their colours, and points on them — open tasks, overdue ones, recurring hotspots, where the user stands. The
//! district's dashboard and the grid worker's task list both draw with it.
use leptos::prelude::*;

use crate::domain::map::Projection;
use crate::domain::warnings::Color;
use crate::domain::GeoPoint;

/// A grid to draw: its rings, its colour (none: one of four plain shades, so neighbours stand apart) and what its
/// title says.
#[derive(Debug, Clone, PartialEq)]
pub struct MapShape {
    pub id: String,
    pub rings: Vec<Vec<GeoPoint>>,
    pub color: Option<Color>,
    pub shade: usize,
    pub title: String,
}

impl MapShape {
    /// A grid's outer ring and its more rings.
    pub fn rings_of(grid: &crate::domain::Grid) -> Vec<Vec<GeoPoint>> {
        std::iter::once(grid.polygon.clone())
            .chain(grid.more_rings.iter().cloned())
            .collect()
    }
}

/// What a point on the map is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PointKind {
    Task,
    Overdue,
    Hotspot,
    Me,
    Station,
}

impl PointKind {
    fn class(self) -> &'static str {
        match self {
            PointKind::Task => "map-point point-task",
            PointKind::Overdue => "map-point point-overdue",
            PointKind::Hotspot => "map-point point-hotspot",
            PointKind::Me => "map-point point-me",
            PointKind::Station => "station-dot",
        }
    }
}

/// A point to draw, with its title and, when it has one, the page it opens.
#[derive(Debug, Clone, PartialEq)]
pub struct MapPoint {
    pub id: String,
    pub at: GeoPoint,
    pub kind: PointKind,
    pub title: String,
    pub href: Option<String>,
}

/// Draws `shapes` and `points` fitted into a `width` × `height` picture; nothing when there is nothing to place.
#[component]
pub fn GridMap(
    shapes: Vec<MapShape>,
    points: Vec<MapPoint>,
    #[prop(into)] label: String,
    #[prop(default = 640.0)] width: f64,
    #[prop(default = 420.0)] height: f64,
) -> impl IntoView {
    let corners = shapes
        .iter()
        .flat_map(|s| s.rings.iter().flatten().copied())
        .chain(
            points
                .iter()
                .filter(|p| p.kind != PointKind::Me)
                .map(|p| p.at),
        );
    // Stations outside every grid widen the picture: a station off the map is worth seeing.
    let projection = Projection::fit(corners, width, height, 12.0)?;
    let drawn_shapes = shapes
        .into_iter()
        .map(|s| {
            let d = projection.path(&s.rings);
            let class = match s.color {
                Some(c) => format!("grid-shape warn-{}", c.code()),
                None => format!("grid-shape grid-shade-{}", s.shade % 4),
            };
            view! {
                <path class=class data-grid=s.id data-color=s.color.map(|c| c.code()) d=d fill-rule="evenodd">
                    <title>{s.title}</title>
                </path>
            }
        })
        .collect_view();
    let navigate = leptos_router::hooks::use_navigate();
    let inside = |x: f64, y: f64| (0.0..=width).contains(&x) && (0.0..=height).contains(&y);
    let drawn_points = points
        .into_iter()
        .filter_map(|p| {
            let (x, y) = projection.project(p.at);
            // Someone standing far outside the grids is not drawn (fitting them in would shrink the grids away).
            if !inside(x, y) {
                return None;
            }
            let r = match p.kind {
                PointKind::Hotspot => 11.0,
                PointKind::Me => 7.0,
                PointKind::Station => 5.0,
                _ => 5.5,
            };
            // A point with a page opens it when tapped (the list beside the map has the same links for keyboards).
            let linked = p.href.is_some();
            let navigate = navigate.clone();
            let open = move |_| {
                if let Some(href) = &p.href {
                    navigate(href, Default::default());
                }
            };
            let dot = view! {
                <circle class=p.kind.class() class:map-link-point=linked data-point=p.id cx=format!("{x:.1}")
                    cy=format!("{y:.1}") r=r on:click=open>
                    <title>{p.title}</title>
                </circle>
            };
            Some(dot)
        })
        .collect_view();
    Some(view! {
        // Its titles are data: the grids' names and reasons as the district wrote them.
        <svg class="district-svg data" viewBox=format!("0 0 {width} {height}") role="img" aria-label=label.clone()>
            {drawn_shapes}
            {drawn_points}
        </svg>
    })
}
