//! 我的上报: the rider's own reports and what became of them (arrives with the reports work; says so until then).
use leptos::prelude::*;

use super::{BeingBuilt, PageHeader};

#[component]
pub fn MyReportsPage() -> impl IntoView {
    view! {
        <PageHeader title=|t| t.my_reports_title />
        <BeingBuilt intro=|t| t.my_reports_intro />
    }
}
