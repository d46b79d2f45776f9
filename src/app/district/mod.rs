//! 区级管理: the admin's console, made for a desktop as much as a phone — the district drawn from its own
//! polygons, a file checked before it applies (what it adds, updates, retires; or each fault), people onboarded
//! with cards to print, each kind exported in its import format, the escalated tasks (部门联处 · 提级研处, where the
//! district decides level 3), and the audit log.
use leptos::prelude::*;

use super::{use_app, PageHeader};

mod audit;
mod backups;
mod escalations;
mod import;
mod map;
mod people;

use audit::AuditLog;
use backups::BackupCard;
use escalations::EscalationsCard;
use import::{ExportCard, ImportCard};
use map::DistrictMap;
use people::PeopleCard;

#[component]
pub fn DistrictPage() -> impl IntoView {
    let app = use_app();
    // Bumped after each applied import: the audit log reloads.
    let applied = RwSignal::new(0u32);
    view! {
        <PageHeader title=|t| t.district_title />
        <p class="intro">{move || app.t().district_intro}</p>
        <div class="console">
            <DistrictMap />
            <div class="console-side">
                <EscalationsCard />
                <ImportCard applied=applied />
                <PeopleCard />
                <ExportCard />
                <AuditLog applied=applied />
                <BackupCard />
            </div>
        </div>
    }
}
