use atoll_api::{ContactRequest, FieldError};
use islands::ContactForm;
use leptos::prelude::*;

use crate::hydration::{hydrate, Hydrate};
use crate::layout::PageMeta;
use crate::model::Site;
use crate::reads::Cx;
use crate::route::{Params, Route, Sitemap};

/// `/contact/`: the contact form island (sites with `contact_form = true`).
pub struct Contact;

impl Route for Contact {
    fn name(&self) -> &'static str {
        "contact"
    }

    fn patterns(&self) -> &'static [&'static str] {
        &["/contact/"]
    }

    fn paths(&self, site: &Site) -> Vec<Params> {
        super::single_if(site.config.contact_form)
    }

    fn view(&self, _cx: &Cx, _params: &Params) -> Option<(PageMeta, AnyView)> {
        Some(contact(ContactRequest::default(), Vec::new()))
    }
}

/// `/contact/`: the contact form island, hydrated when it scrolls into view. Without
/// JavaScript the form posts to `POST /api/contact`, which answers with the thank-you
/// page (303) or with this page again, `values` kept and `errors` shown.
pub fn contact(values: ContactRequest, errors: Vec<FieldError>) -> (PageMeta, AnyView) {
    let summary = (!errors.is_empty()).then(|| {
        view! {
            <p class="form-failure" role="alert">
                "Please correct the highlighted fields and send the message again."
            </p>
        }
    });
    let view = view! {
        <h1>"Contact"</h1>
        <div class="prose">
            <p>"Questions about Atoll, an order, or a site you built with it? Write to us: every message is stored before we say it is received, and a person reads it."</p>
            <p>"We answer within two working days. For bug reports, include the Atoll version ("<code>"atoll --version"</code>") and the command you ran."</p>
        </div>
        {summary}
        {hydrate(Hydrate::Visible, view! { <ContactForm values errors/> })}
    }
    .into_any();
    let meta = PageMeta::new(
        Some("Contact".into()),
        "Send a message to the Atoll team.".to_owned(),
        "/contact/",
    );
    (meta, view)
}

/// `/contact/thanks/`: where the JavaScript-less contact form lands (303; `noindex`).
pub struct ContactThanks;

impl Route for ContactThanks {
    fn name(&self) -> &'static str {
        "contact thanks"
    }

    fn patterns(&self) -> &'static [&'static str] {
        &["/contact/thanks/"]
    }

    fn paths(&self, site: &Site) -> Vec<Params> {
        super::single_if(site.config.contact_form)
    }

    fn sitemap(&self, _site: &Site, _params: &Params) -> Sitemap {
        Sitemap::Unlisted
    }

    fn view(&self, _cx: &Cx, _params: &Params) -> Option<(PageMeta, AnyView)> {
        Some(contact_thanks())
    }
}

/// `/contact/thanks/`: the landing page of a contact form sent without JavaScript.
fn contact_thanks() -> (PageMeta, AnyView) {
    let view = view! {
        <h1>"Thank you!"</h1>
        <p>"Your message is stored and on its way; we answer within two working days."</p>
        <p><a href="/">"Back to the home page"</a></p>
    }
    .into_any();
    let mut meta = PageMeta::new(
        Some("Message sent".into()),
        "Your message was received.".to_owned(),
        "/contact/thanks/",
    );
    meta.indexable = false;
    (meta, view)
}
