//! 驿站码: the rider's station pass (arrives with the stations work; says so until then).
use leptos::prelude::*;

use super::{BeingBuilt, PageHeader};

#[component]
pub fn PassPage() -> impl IntoView {
    view! {
        <PageHeader title=|t| t.pass_title />
        <BeingBuilt intro=|t| t.pass_intro />
    }
}
