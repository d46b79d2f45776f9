//! The bottom tab bar: within thumb reach, one tap to every page.
use leptos::prelude::*;
use leptos_router::hooks::use_location;

use super::icons::{Icon, IconKind};
use super::use_app;
use crate::i18n::Texts;

struct Tab {
    href: &'static str,
    icon: IconKind,
    label: fn(&'static Texts) -> &'static str,
}

const TABS: [Tab; 6] = [
    Tab {
        href: "/",
        icon: IconKind::Camera,
        label: |t| t.tab_report,
    },
    Tab {
        href: "/my-reports",
        icon: IconKind::List,
        label: |t| t.tab_my_reports,
    },
    Tab {
        href: "/tasks",
        icon: IconKind::Tasks,
        label: |t| t.tab_tasks,
    },
    Tab {
        href: "/stations",
        icon: IconKind::Station,
        label: |t| t.tab_stations,
    },
    Tab {
        href: "/pass",
        icon: IconKind::Pass,
        label: |t| t.tab_pass,
    },
    Tab {
        href: "/settings",
        icon: IconKind::Settings,
        label: |t| t.tab_settings,
    },
];

#[component]
pub fn TabBar() -> impl IntoView {
    let app = use_app();
    let location = use_location();
    let tabs = TABS
        .iter()
        .map(|tab| {
            let href = tab.href;
            let label = tab.label;
            let current = move || (location.pathname.get() == href).then_some("page");
            view! {
                <a class="tab" href=href aria-current=current>
                    <Icon kind=tab.icon />
                    <span class="tab-label">{move || label(app.t())}</span>
                </a>
            }
        })
        .collect_view();
    view! {
        <nav class="tab-bar" aria-label=move || app.t().tabs_label>
            {tabs}
        </nav>
    }
}
