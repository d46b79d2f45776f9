//! The few line icons of the tab bar, drawn inline (no icon font to download).
use leptos::prelude::*;

use crate::domain::Amenity;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IconKind {
    Camera,
    List,
    Tasks,
    Checkin,
    Station,
    Pass,
    Settings,
    Map,
    Chart,
    /// A speech bubble: riders' concerns.
    Concern,
    /// What a station offers.
    Amenity(Amenity),
}

impl IconKind {
    /// SVG path data on a 24 × 24 grid, stroked.
    fn path(self) -> &'static str {
        match self {
            IconKind::Camera => "M3 8h4l2-3h6l2 3h4v11H3z M12 10.5a3.5 3.5 0 1 0 0 7a3.5 3.5 0 1 0 0-7",
            IconKind::List => "M8 6h13 M8 12h13 M8 18h13 M3.5 6h.5 M3.5 12h.5 M3.5 18h.5",
            IconKind::Tasks => "M9 4h6v3H9z M6 5.5H4.5V21h15V5.5H18 M8 13l3 3l5-6",
            IconKind::Checkin => "M16 21v-2a4 4 0 0 0-4-4H7a4 4 0 0 0-4 4v2 M9.5 3a4 4 0 1 0 0 8a4 4 0 1 0 0-8 M16 11l2 2l4-4",
            IconKind::Station => "M12 21s-7-6.2-7-11.5a7 7 0 0 1 14 0C19 14.8 12 21 12 21z M12 7v5 M9.5 9.5h5",
            IconKind::Pass => "M4 4h6v6H4z M14 4h6v6h-6z M4 14h6v6H4z M14 14h2v2h-2z M18 18h2v2h-2z M14 19h1 M19 14h1",
            IconKind::Map => "M9 4L3 6v14l6-2l6 2l6-2V4l-6 2z M9 4v14 M15 6v14",
            IconKind::Chart => "M4 20h16 M6 16v-5 M11 16V6 M16 16v-8",
            IconKind::Concern => "M4 5h16v11H10l-5 4v-4H4z M8 9h8 M8 12h5",
            IconKind::Amenity(Amenity::Charging) => "M13 2L5 13h6l-1 9l8-11h-6z",
            IconKind::Amenity(Amenity::Water) => "M12 3s-6 7-6 11a6 6 0 0 0 12 0c0-4-6-11-6-11z",
            IconKind::Amenity(Amenity::Microwave) => "M3 6h18v12H3z M6 9h9v6H6z M18 9v.5 M18 12v.5",
            IconKind::Amenity(Amenity::RestArea) => "M4 18v-6h16v6 M4 15h16 M7 12V9h4v3",
            IconKind::Amenity(Amenity::Toilet) => "M8 4a2 2 0 1 0 0 .1 M16 4a2 2 0 1 0 0 .1 M6 21v-6H4l2-7h4l2 7h-2v6 M16 21V8",
            IconKind::Amenity(Amenity::FirstAid) => "M4 7h16v13H4z M9 7V4h6v3 M12 10v7 M8.5 13.5h7",
            IconKind::Settings => "M12 9a3 3 0 1 0 0 6a3 3 0 1 0 0-6 M12 2v3 M12 19v3 M2 12h3 M19 12h3 M4.9 4.9l2.1 2.1 M17 17l2.1 2.1 M4.9 19.1L7 17 M17 7l2.1-2.1",
        }
    }
}

#[component]
pub fn Icon(kind: IconKind) -> impl IntoView {
    view! {
        <svg class="icon" viewBox="0 0 24 24" width="24" height="24" aria-hidden="true" focusable="false">
            <path d=kind.path() fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round" stroke-linejoin="round" />
        </svg>
    }
}
