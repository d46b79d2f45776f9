//! 任务: the grid worker's tasks (arrives with the tasks work; says so until then).
use leptos::prelude::*;

use super::{BeingBuilt, PageHeader};

#[component]
pub fn TasksPage() -> impl IntoView {
    view! {
        <PageHeader title=|t| t.tasks_title />
        <BeingBuilt intro=|t| t.tasks_intro />
    }
}
