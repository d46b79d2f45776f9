//! 人员: the district's people, filtered by role, grid, station or department — who has signed in, revoking someone,
//! moving a grid worker to another grid, and new codes with cards for those of a place who have not signed in.
use leptos::prelude::*;

use super::import::{open_sheet, Onboarded};
use crate::app::{use_app, AppContext};
use crate::client::api::{get_json, post_json};
use crate::domain::district::{MoveRequest, Person, ReissueRequest};
use crate::domain::{Place, Role};
use crate::i18n::fill;

/// Rows shown at once; narrow the filter for the rest.
const SHOWN: usize = 50;

/// The query of `GET /admin/users` for a role and a place (`g:ID` a grid, `s:ID` a station, `d:CODE` a
/// department).
fn query(role: &str, place: &str) -> String {
    let mut q = vec![];
    if !role.is_empty() {
        q.push(format!("role={role}"));
    }
    match place.split_once(':') {
        Some(("g", id)) => q.push(format!("grid={id}")),
        Some(("s", id)) => q.push(format!("station={id}")),
        Some(("d", id)) => q.push(format!("department={id}")),
        _ => {}
    }
    if q.is_empty() {
        String::new()
    } else {
        format!("?{}", q.join("&"))
    }
}

async fn act(
    app: AppContext,
    path: String,
    body: serde_json::Value,
    done: RwSignal<u32>,
    message: RwSignal<Option<String>>,
) {
    match post_json::<_, Person>(&path, &body, app.token().as_deref()).await {
        Ok(_) => done.update(|n| *n += 1),
        Err(f) => message.set(Some(app.describe(&f))),
    }
}

#[component]
pub fn PeopleCard() -> impl IntoView {
    let app = use_app();
    let role = RwSignal::new(String::new());
    let place = RwSignal::new(String::new());
    let changed = RwSignal::new(0u32);
    let message = RwSignal::new(None::<String>);
    let sheet = RwSignal::new(None::<String>);
    let people = LocalResource::new(move || {
        changed.track();
        let path = format!("/admin/users{}", query(&role.get(), &place.get()));
        let token = app.token();
        async move { get_json::<Vec<Person>>(&path, token.as_deref()).await.ok() }
    });
    let list = move || people.get().flatten().unwrap_or_default();
    let grids = move || grids_in_service(app);
    let stations = move || {
        app.reference.with(|r| {
            r.stations
                .iter()
                .filter(|s| !s.retired)
                .map(|s| (s.id.clone(), s.name.clone()))
                .collect::<Vec<_>>()
        })
    };
    let departments = crate::app::format::departments_in_service;
    let reissue = move |_| {
        let chosen = place.get_untracked();
        let Some((kind, id)) = chosen.split_once(':') else {
            return;
        };
        let named = |k: &str| (kind == k).then(|| id.to_owned());
        let req = ReissueRequest {
            grid: named("g"),
            station: named("s"),
            department: named("d"),
            url: window().location().origin().ok(),
        };
        leptos::task::spawn_local(async move {
            match post_json::<_, Onboarded>("/admin/users/reissue", &req, app.token().as_deref())
                .await
            {
                Ok(o) => {
                    message.set(Some(fill(
                        app.t().people_reissued,
                        &[("n", &o.created.to_string())],
                    )));
                    sheet.set(o.sheet_html);
                    changed.update(|n| *n += 1);
                }
                Err(f) => message.set(Some(app.describe(&f))),
            }
        });
    };
    view! {
        <section class="card" data-testid="people-card">
            <h2>{app.text(|t| t.people_title)}</h2>
            <label class="field" for="people-role">{app.text(|t| t.people_role_label)}</label>
            <select id="people-role" class="text" on:change=move |ev| role.set(event_target_value(&ev))>
                <option value="">{app.text(|t| t.people_role_all)}</option>
                {Role::ALL.into_iter().map(|r| view! {
                    <option value=r.code()>{move || app.lang.get().role_name(r)}</option>
                }).collect_view()}
            </select>
            <label class="field" for="people-place">{app.text(|t| t.people_place_label)}</label>
            <select id="people-place" class="text" on:change=move |ev| place.set(event_target_value(&ev))>
                <option value="">{app.text(|t| t.people_place_all)}</option>
                {move || grids().into_iter().map(|(id, name)| view! { <option class="data" value=format!("g:{id}")>{name}</option> }).collect_view()}
                {move || stations().into_iter().map(|(id, name)| view! { <option class="data" value=format!("s:{id}")>{name}</option> }).collect_view()}
                {move || departments().into_iter().map(|(id, name)| view! { <option class="data" value=format!("d:{id}")>{name}</option> }).collect_view()}
            </select>
            <p class="muted" data-testid="people-count">{move || {
                let all = list();
                let enrolled = all.iter().filter(|p| p.enrolled).count();
                fill(app.t().people_count, &[("n", &all.len().to_string()), ("m", &enrolled.to_string())])
            }}</p>
            <Show when=move || !place.get().is_empty()>
                <button type="button" class="button secondary" on:click=reissue>{app.text(|t| t.people_reissue)}</button>
            </Show>
            {move || message.get().map(|m| view! { <p role="status" data-testid="people-message">{m}</p> })}
            {move || sheet.get().map(|html| view! { <button type="button" class="button" on:click=move |_| open_sheet(&html)>{app.t().users_print}</button> })}
            <ul class="plain-list people-list">
                {move || list().into_iter().take(SHOWN).map(|p| view! { <PersonRow person=p changed=changed message=message /> }).collect_view()}
            </ul>
        </section>
    }
}

/// The grids in service (id, name), for the place filter and a worker's move.
fn grids_in_service(app: AppContext) -> Vec<(String, String)> {
    app.reference.with(|r| {
        r.grids
            .iter()
            .filter(|g| !g.retired)
            .map(|g| (g.id.clone(), g.name.clone()))
            .collect()
    })
}

/// The name of a person's place (grid, station, department or 街道), as the phone keeps them.
fn place_name(app: AppContext, p: &Person) -> Option<String> {
    let (place, _) = p.user.role.place()?;
    let id = p.user.place(place)?.to_owned();
    app.reference.with(|r| match place {
        Place::Grid => r.grids.iter().find(|g| g.id == id).map(|g| g.name.clone()),
        Place::Station => r
            .stations
            .iter()
            .find(|s| s.id == id)
            .map(|s| s.name.clone()),
        Place::Department => r
            .departments
            .iter()
            .find(|d| d.code == id)
            .map(|d| d.name.clone()),
        Place::Street => Some(id.clone()),
    })
}

/// One person: name, role and place, whether enrolled; a grid worker's move to another grid, and revoking.
#[component]
fn PersonRow(
    person: Person,
    changed: RwSignal<u32>,
    message: RwSignal<Option<String>>,
) -> impl IntoView {
    let app = use_app();
    let p = person;
    let grids = move || grids_in_service(app);
    let id = p.user.id.clone();
    // Nobody revokes themselves (the server refuses it too).
    let me = app
        .session
        .with(|s| s.as_ref().is_some_and(|s| s.user.id == id));
    let state = if p.revoked {
        app.t().people_revoked
    } else if p.enrolled {
        app.t().people_enrolled
    } else {
        app.t().people_not_enrolled
    };
    let place = place_name(app, &p)
        .map(|n| format!(" · {n}"))
        .unwrap_or_default();
    let confirm = fill(app.t().people_revoke_confirm, &[("name", &p.user.name)]);
    let revoke = {
        let id = id.clone();
        move |_| {
            if window().confirm_with_message(&confirm).unwrap_or(false) {
                let path = format!("/admin/users/{id}/revoke");
                leptos::task::spawn_local(act(app, path, serde_json::json!({}), changed, message));
            }
        }
    };
    let is_worker = p.user.role == Role::GridWorker && !p.revoked;
    let current = p.user.grid_id.clone().unwrap_or_default();
    view! {
        <li class="person" data-testid="person">
            <span><strong class="data">{p.user.name.clone()}</strong>" "{app.lang.get_untracked().role_name(p.user.role)}<span class="data">{place}</span></span>
            <span class="badge">{state}</span>
            {is_worker.then(|| {
                let id = id.clone();
                view! {
                    <select class="text" aria-label=app.text(|t| t.people_move_label) on:change=move |ev| {
                        let grid = event_target_value(&ev);
                        let path = format!("/admin/users/{id}/move");
                        let body = serde_json::to_value(MoveRequest { grid }).unwrap_or_default();
                        leptos::task::spawn_local(act(app, path, body, changed, message));
                    }>
                        {grids().into_iter().map(|(g, name)| {
                            let selected = g == current;
                            view! { <option class="data" value=g selected=selected>{name}</option> }
                        }).collect_view()}
                    </select>
                }
            })}
            {(!p.revoked && !me).then(|| view! { <button type="button" class="button secondary reject" on:click=revoke>{app.t().people_revoke}</button> })}
        </li>
    }
}
