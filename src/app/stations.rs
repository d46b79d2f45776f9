//! 驿站: the district's 暖心驿站 from the phone's copy of the reference data, so the list shows offline.
use leptos::prelude::*;

use super::{use_app, PageHeader};
use crate::domain::{Amenity, Station};
use crate::i18n::{fill, Texts};

const ALL_DAY: &str = "00:00-24:00";

pub fn amenity_name(t: &Texts, amenity: Amenity) -> &'static str {
    match amenity {
        Amenity::Charging => t.amenity_charging,
        Amenity::Water => t.amenity_water,
        Amenity::Microwave => t.amenity_microwave,
        Amenity::RestArea => t.amenity_rest_area,
        Amenity::Toilet => t.amenity_toilet,
        Amenity::FirstAid => t.amenity_first_aid,
    }
}

#[component]
pub fn StationsPage() -> impl IntoView {
    let app = use_app();
    let count = move || app.reference.with(|r| r.stations.len());
    view! {
        <PageHeader title=|t| t.stations_title />
        <Show
            when=move || { count() > 0 }
            fallback=move || view! { <section class="card"><p>{move || app.t().stations_empty}</p></section> }
        >
            <p class="muted summary">{move || fill(app.t().stations_count, &[("n", &count().to_string())])}</p>
            <ul class="station-list">
                <For
                    each=move || app.reference.with(|r| r.stations.clone())
                    key=|s: &Station| s.id.clone()
                    children=move |s: Station| view! { <StationCard station=s /> }
                />
            </ul>
        </Show>
    }
}

#[component]
fn StationCard(station: Station) -> impl IntoView {
    let app = use_app();
    let hours = station.hours.clone();
    let demo = station.demo;
    let amenities = station.amenities.clone();
    view! {
        <li class="card station">
            <h2 class="station-name">
                {station.name.clone()}
                <Show when=move || demo>
                    <span class="badge">{move || app.t().demo_badge}</span>
                </Show>
            </h2>
            <p class="station-address">{station.address.clone()}</p>
            <p class="station-hours">
                <span class="muted">{move || app.t().hours_label}" "</span>
                {move || if hours == ALL_DAY { app.t().open_all_day.to_owned() } else { hours.clone() }}
            </p>
            <ul class="chips" aria-label=move || app.t().amenities_label>
                {amenities
                    .into_iter()
                    .map(|a| view! { <li class="chip">{move || amenity_name(app.t(), a)}</li> })
                    .collect_view()}
            </ul>
        </li>
    }
}
