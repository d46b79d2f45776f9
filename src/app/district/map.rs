//! The district as an SVG drawing of its grids (in service: coloured; retired: not drawn) and stations (dots):
//! from the phone's copy of the reference data, so it shows offline and follows imports after a sync.
use leptos::prelude::*;

use crate::app::components::{GridMap, MapPoint, MapShape, PointKind};
use crate::app::use_app;
use crate::domain::GeoPoint;
use crate::i18n::fill;

#[component]
pub fn DistrictMap() -> impl IntoView {
    let app = use_app();
    let drawing = move || {
        app.reference.with(|r| {
            let shapes: Vec<MapShape> = r
                .grids
                .iter()
                .filter(|g| !g.retired)
                .enumerate()
                .map(|(i, g)| MapShape {
                    id: g.id.clone(),
                    rings: MapShape::rings_of(g),
                    color: None,
                    shade: i,
                    title: format!("{} · {} · {}", g.name, g.community, g.street),
                })
                .collect();
            let stations: Vec<MapPoint> = r
                .stations
                .iter()
                .filter(|s| !s.retired)
                .map(|s| MapPoint {
                    id: s.id.clone(),
                    at: GeoPoint::new(s.lat, s.lon),
                    kind: PointKind::Station,
                    title: s.name.clone(),
                    href: None,
                })
                .collect();
            (!shapes.is_empty() || !stations.is_empty()).then_some((shapes, stations))
        })
    };
    view! {
        <section class="card console-map" data-testid="district-map">
            <h2>{app.text(|t| t.district_map_title)}</h2>
            {move || match drawing() {
                Some((shapes, stations)) => view! {
                    <p class="muted" data-testid="district-map-summary">
                        {fill(app.t().district_map_summary, &[("grids", &shapes.len().to_string()), ("stations", &stations.len().to_string())])}
                    </p>
                    <GridMap shapes=shapes points=stations label=app.t().district_map_label />
                }.into_any(),
                None => view! { <p class="muted">{app.t().district_map_empty}</p> }.into_any(),
            }}
        </section>
    }
}
