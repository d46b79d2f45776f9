//! 驿站: the district's 暖心驿站 from the phone's copy of the reference data, so the list shows offline.
use leptos::prelude::*;

use super::icons::{Icon, IconKind};
use super::{use_app, PageHeader};
use crate::client::location::current_fix;
use crate::domain::{Amenity, GeoPoint, Station};
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
    let count = move || {
        app.reference
            .with(|r| r.stations.iter().filter(|s| !s.retired).count())
    };
    // Where the rider stands, for nearest first; the list shows in catalog order until (unless) it is known.
    let here = RwSignal::new(None::<GeoPoint>);
    leptos::task::spawn_local(async move {
        if let Some(fix) = current_fix(5_000).await {
            let _ = here.try_set(Some(GeoPoint::new(fix.lat, fix.lon)));
        }
    });
    let sorted = move || {
        let mut list: Vec<(Station, Option<f64>)> = app.reference.with(|r| {
            r.stations
                .iter()
                .filter(|s| !s.retired)
                .map(|s| {
                    (
                        s.clone(),
                        here.get()
                            .map(|h| h.distance_m(&GeoPoint::new(s.lat, s.lon))),
                    )
                })
                .collect()
        });
        list.sort_by(|a, b| a.1.unwrap_or(0.0).total_cmp(&b.1.unwrap_or(0.0)));
        list
    };
    view! {
        <PageHeader title=|t| t.stations_title />
        <Show
            when=move || { count() > 0 }
            fallback=move || view! { <section class="card"><p>{app.text(|t| t.stations_empty)}</p></section> }
        >
            <p class="muted summary">{move || crate::i18n::fill_count(app.t().stations_count, count(), &[])}</p>
            <ul class="station-list">
                {move || sorted().into_iter().map(|(s, d)| view! { <StationCard station=s distance_m=d /> }).collect_view()}
            </ul>
        </Show>
    }
}

#[component]
fn StationCard(station: Station, distance_m: Option<f64>) -> impl IntoView {
    let app = use_app();
    let now = js_sys::Date::new_0();
    let open = station.is_open_at(now.get_hours() * 60 + now.get_minutes());
    let maps = super::format::map_links(station.lat, station.lon, &station.name);
    let hours = station.hours.clone();
    let demo = station.demo;
    let amenities = station.amenities.clone();
    view! {
        <li class="card station">
            <h2 class="station-name">
                {station.name.clone()}
                <Show when=move || demo>
                    <span class="badge">{app.text(|t| t.demo_badge)}</span>
                </Show>
            </h2>
            <p class="station-address">{station.address.clone()}</p>
            <p class="station-hours">
                <span class="muted">{app.text(|t| t.hours_label)}" "</span>
                {move || if hours == ALL_DAY { app.t().open_all_day.to_owned() } else { hours.clone() }}
                {open.map(|o| view! {
                    " · "<span class=if o { "open" } else { "closed" }>
                        {move || if o { app.t().station_open } else { app.t().station_closed }}
                    </span>
                })}
            </p>
            {distance_m.map(|d| view! {
                <p class="station-distance" data-testid="station-distance">
                    {move || fill(app.t().station_distance, &[("km", &format!("{:.1}", d / 1000.0))])}
                </p>
            })}
            <p class="map-links">
                {maps.into_iter().map(|(label, href)| view! {
                    <a class="button secondary map-link" href=href>{move || label(app.t())}</a>
                }).collect_view()}
            </p>
            <ul class="chips" aria-label=app.text(|t| t.amenities_label)>
                {amenities
                    .into_iter()
                    .map(|a| view! {
                        <li class="chip amenity">
                            <Icon kind=IconKind::Amenity(a) />
                            <span>{move || amenity_name(app.t(), a)}</span>
                        </li>
                    })
                    .collect_view()}
            </ul>
        </li>
    }
}
