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
        <p class="intro">{app.text(|t| t.district_intro)}</p>
        <div class="console">
            <DistrictMap />
            <div class="console-side">
                <EscalationsCard />
                <ConcernsLink />
                <ImportCard applied=applied />
                <PeopleCard />
                <ExportCard />
                <AuditLog applied=applied />
                <BackupCard />
            </div>
        </div>
    }
}

/// 骑手诉求: every station's concerns, open ones first (the admin's way in; the tab bar has no room for it).
#[component]
fn ConcernsLink() -> impl IntoView {
    let app = use_app();
    let open = move || {
        app.concerns
            .with(|cs| cs.iter().filter(|c| !c.status.is_closed()).count())
    };
    view! {
        <section class="card" data-testid="district-concerns">
            <h2>{app.text(|t| t.concerns_title)}</h2>
            <p class="muted">{move || crate::i18n::fill(app.t().concerns_open_count, &[("n", &open().to_string())])}</p>
            <a class="button secondary" href="/concerns">{app.text(|t| t.concerns_open_list)}</a>
        </section>
    }
}
