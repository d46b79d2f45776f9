//! 随手拍, the start page: snap a hazard. Capture arrives with its own piece of work; until then it says what it is for.
use leptos::prelude::*;

use super::{BeingBuilt, PageHeader};

#[component]
pub fn ReportPage() -> impl IntoView {
    view! {
        <PageHeader title=|t| t.report_title />
        <BeingBuilt intro=|t| t.report_intro />
    }
}
