//! The district as an SVG drawing of its grids (in service: coloured; retired: not drawn) and stations (dots):
//! from the phone's copy of the reference data, so it shows offline and follows imports after a sync.
use leptos::prelude::*;

use crate::app::use_app;
use crate::domain::map::Projection;
use crate::i18n::fill;

const WIDTH: f64 = 640.0;
const HEIGHT: f64 = 420.0;

#[component]
pub fn DistrictMap() -> impl IntoView {
    let app = use_app();
    let drawing = move || {
        app.reference.with(|r| {
            let grids: Vec<_> = r.grids.iter().filter(|g| !g.retired).collect();
            let stations: Vec<_> = r.stations.iter().filter(|s| !s.retired).collect();
            // Stations outside every grid are drawn too: a station off the map is worth seeing.
            let points = grids
                .iter()
                .flat_map(|g| g.polygon.iter().chain(g.more_rings.iter().flatten()).copied())
                .chain(stations.iter().map(|s| crate::domain::GeoPoint::new(s.lat, s.lon)));
            let projection = Projection::fit(points, WIDTH, HEIGHT, 12.0)?;
            let shapes = grids
                .iter()
                .enumerate()
                .map(|(i, g)| {
                    let d = projection.path(std::iter::once(&g.polygon).chain(&g.more_rings));
                    let title = format!("{} · {} · {}", g.name, g.community, g.street);
                    view! { <path class=format!("grid-shape grid-shade-{}", i % 4) d=d fill-rule="evenodd"><title>{title}</title></path> }
                })
                .collect_view();
            let dots = stations
                .iter()
                .map(|s| {
                    let (x, y) = projection.project(crate::domain::GeoPoint::new(s.lat, s.lon));
                    view! { <circle class="station-dot" cx=format!("{x:.1}") cy=format!("{y:.1}") r="5"><title>{s.name.clone()}</title></circle> }
                })
                .collect_view();
            let summary = (grids.len(), stations.len());
            Some((shapes, dots, summary))
        })
    };
    view! {
        <section class="card console-map" data-testid="district-map">
            <h2>{move || app.t().district_map_title}</h2>
            {move || match drawing() {
                Some((shapes, dots, (grids, stations))) => view! {
                    <p class="muted" data-testid="district-map-summary">
                        {fill(app.t().district_map_summary, &[("grids", &grids.to_string()), ("stations", &stations.to_string())])}
                    </p>
                    <svg class="district-svg" viewBox=format!("0 0 {WIDTH} {HEIGHT}") role="img" aria-label=move || app.t().district_map_label>
                        {shapes}
                        {dots}
                    </svg>
                }.into_any(),
                None => view! { <p class="muted">{app.t().district_map_empty}</p> }.into_any(),
            }}
        </section>
    }
}
