//! 签到: station staff confirm riders' check-ins (arrives with the stations work; says so until then).
use leptos::prelude::*;

use super::{BeingBuilt, PageHeader};

#[component]
pub fn CheckinsPage() -> impl IntoView {
    view! {
        <PageHeader title=|t| t.checkins_title />
        <BeingBuilt intro=|t| t.checkins_intro />
    }
}
