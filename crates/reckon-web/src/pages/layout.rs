//! The frame of every page: the top bar (product name, navigation, period
//! selector, who is signed in) and the content.

use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use maud::{DOCTYPE, Markup, html};

use crate::auth::Principal;

/// Which navigation item is current.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Nav {
    Dashboard,
    Findings,
    Imports,
    Runs,
    Mapping,
    Users,
    Settings,
}

/// The top bar's period selector.
#[derive(Debug, Clone, Default)]
pub struct PeriodChoice {
    pub periods: Vec<String>,
    pub selected: String,
    /// The page the selector reloads (`/` or `/findings`).
    pub action: &'static str,
}

fn head(title: &str) -> Markup {
    html! {
        head {
            meta charset="utf-8";
            meta name="viewport" content="width=device-width, initial-scale=1";
            title { (title) " · reckon" }
            link rel="icon" href="/static/favicon.svg" type="image/svg+xml";
            link rel="stylesheet" href="/static/app.css";
            script src="/static/app.js" defer {}
        }
    }
}

/// A page for a signed-in user.
pub fn page(
    title: &str,
    principal: &Principal,
    nav: Nav,
    periods: &PeriodChoice,
    content: Markup,
) -> Markup {
    html! {
        (DOCTYPE)
        html lang="en" {
            (head(title))
            body {
                header.topbar {
                    a.brand href="/" { "reckon" span { "." } }
                    nav {
                        a href="/" class=[(nav == Nav::Dashboard).then_some("active")] { "Dashboard" }
                        a href="/findings" class=[(nav == Nav::Findings).then_some("active")] { "Findings" }
                        a href="/runs" class=[(nav == Nav::Runs).then_some("active")] { "Runs" }
                        a href="/imports" class=[(nav == Nav::Imports).then_some("active")] { "Imports" }
                        a href="/mapping" class=[(nav == Nav::Mapping).then_some("active")] { "Mapping" }
                        @if principal.may(reckon_store::Role::Admin) {
                            a href="/admin/users" class=[(nav == Nav::Users).then_some("active")] { "Users" }
                            a href="/admin/settings" class=[(nav == Nav::Settings).then_some("active")] { "Settings" }
                        }
                    }
                    div.spacer {}
                    @if !periods.periods.is_empty() {
                        form method="get" action=(periods.action) {
                            label.who for="period" { "Period" }
                            select id="period" name="period" onchange="this.form.submit()" {
                                @for period in &periods.periods {
                                    option value=(period) selected[*period == periods.selected] { (period) }
                                }
                            }
                            noscript { button.secondary type="submit" { "Show" } }
                        }
                    }
                    span.who { b { (principal.name) } " · " (principal.role.as_str()) }
                    form method="post" action="/sign-out" {
                        input type="hidden" name="csrf" value=(principal.csrf());
                        button.link type="submit" { "Sign out" }
                    }
                }
                main { (content) }
            }
        }
    }
}

/// A page for a visitor who is not signed in (sign-in, setup).
pub fn bare(title: &str, content: Markup) -> Markup {
    html! {
        (DOCTYPE)
        html lang="en" {
            (head(title))
            body {
                header.topbar { a.brand href="/" { "reckon" span { "." } } }
                main { (content) }
            }
        }
    }
}

/// An error as a page.
pub fn error_page(status: StatusCode, message: &str) -> Response {
    let title = status.canonical_reason().unwrap_or("Error");
    let markup = bare(
        title,
        html! {
            div.panel {
                h1 { (title) }
                p.sub { (message) }
                p { a href="/" { "Back to the dashboard" } }
            }
        },
    );
    (status, Html(markup.into_string())).into_response()
}
