//! The contact form island. Without JavaScript it is a plain
//! `<form method="post" action="/api/contact">` that the server answers with a 303 to
//! the thank-you page (or the form again, with the errors); hydrated, it checks the
//! fields as the visitor leaves them, posts JSON and shows the answer in place.

use leptos::prelude::*;
use leptos::task::spawn_local;

use atoll_api::client::{post_json, Answer};
use atoll_api::{
    validate_contact, ContactRequest, FieldError, CONTACT_MESSAGE_MAX, CONTACT_NAME_MAX,
    CONTACT_PATH, EMAIL_MAX,
};

/// The contact form.
///
/// `values` and `errors` come from the server when it answers a JavaScript-less post
/// with the form again (422); both are empty on the pre-rendered page. The `website`
/// field is a honeypot, hidden from people (and from assistive technology).
#[island]
pub fn ContactForm(
    /// Values to fill in.
    values: ContactRequest,
    /// Errors to show, at most one per field.
    errors: Vec<FieldError>,
) -> impl IntoView {
    let initial = values.clone();
    let form = StoredValue::new(values);
    let errors = RwSignal::new(errors);
    let (sent, set_sent) = signal(false);
    let (failure, set_failure) = signal(String::new());
    let (busy, set_busy) = signal(false);
    // Fields the visitor has left once: their errors update while typing from then on.
    let touched = StoredValue::new(Vec::<String>::new());

    let revalidate = move || {
        let found = validate_contact(&form.get_value());
        let touched = touched.get_value();
        errors.set(
            found
                .into_iter()
                .filter(|e| touched.contains(&e.field))
                .collect(),
        );
    };
    // One delegated listener per event type for every field.
    let on_input = move |ev: leptos::ev::Event| {
        let Some((name, value)) = field_of(&ev) else {
            return;
        };
        form.update_value(|f| match name.as_str() {
            "name" => f.name = value,
            "email" => f.email = value,
            "message" => f.message = value,
            _ => f.website = value,
        });
        if touched.with_value(|t| t.contains(&name)) {
            revalidate();
        }
    };
    let on_focusout = move |ev: leptos::ev::FocusEvent| {
        if let Some((name, _)) = field_of(&ev) {
            touched.update_value(|t| {
                if !t.contains(&name) {
                    t.push(name);
                }
            });
            revalidate();
        }
    };
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if busy.get_untracked() {
            return;
        }
        touched.set_value(vec!["name".into(), "email".into(), "message".into()]);
        let request = form.get_value();
        let found = validate_contact(&request);
        if !found.is_empty() {
            errors.set(found);
            return;
        }
        set_busy.set(true);
        set_failure.set(String::new());
        spawn_local(async move {
            // The 202's body (`ContactReceipt`) holds nothing the form needs.
            let answer = post_json::<_, serde::de::IgnoredAny>(CONTACT_PATH, &request, &[]).await;
            set_busy.set(false);
            match answer {
                Ok(Answer::Ok(..)) => set_sent.set(true),
                Ok(Answer::Err(_, error)) => match error.field {
                    Some(field) => errors.set(vec![FieldError {
                        field,
                        error: error.error,
                    }]),
                    None => set_failure.set(error.error),
                },
                Err(message) => set_failure.set(message),
            }
        });
    };

    view! {
        <div class="contact-sent" role="status" hidden=move || !sent.get()>
            <h2>"Thank you!"</h2>
            <p>"Your message is on its way; we answer within two working days."</p>
        </div>
        <form
            class="contact-form"
            method="post"
            action=CONTACT_PATH
            novalidate
            hidden=move || sent.get()
            on:input=on_input
            on:focusout=on_focusout
            on:submit=submit
        >
            <div class="field" data-invalid=invalid(errors, "name")>
                <label for="contact-name">"Name"</label>
                <input id="contact-name" name="name" required maxlength=CONTACT_NAME_MAX.to_string()
                    autocomplete="name" aria-describedby="contact-name-error" value=initial.name.clone()/>
                <p id="contact-name-error" class="field-error">{error_text(errors, "name")}</p>
            </div>
            <div class="field" data-invalid=invalid(errors, "email")>
                <label for="contact-email">"Email"</label>
                <input id="contact-email" name="email" type="email" required maxlength=EMAIL_MAX.to_string()
                    autocomplete="email" aria-describedby="contact-email-error" value=initial.email.clone()/>
                <p id="contact-email-error" class="field-error">{error_text(errors, "email")}</p>
            </div>
            <div class="field" data-invalid=invalid(errors, "message")>
                <label for="contact-message">"Message"</label>
                <textarea id="contact-message" name="message" required rows="6"
                    maxlength=CONTACT_MESSAGE_MAX.to_string() aria-describedby="contact-message-error">
                    {
                    // Leptos 0.8 writes <textarea> children unescaped on the server; the
                    // text is escaped here, or a message containing "</textarea>" could
                    // inject markup into the page that shows it again.
                    crate::escape(&initial.message)
                }
                </textarea>
                <p id="contact-message-error" class="field-error">{error_text(errors, "message")}</p>
            </div>
            <div class="hp" aria-hidden="true">
                <label for="contact-website">"Leave this field empty"</label>
                <input id="contact-website" name="website" tabindex="-1" autocomplete="off" value=initial.website.clone()/>
            </div>
            <p class="form-failure" role="alert">{move || Some(failure.get()).filter(|f| !f.is_empty())}</p>
            <button type="submit" disabled=move || busy.get()>"Send message"</button>
        </form>
    }
}

/// The error shown under field `name`, if any (`None` renders nothing, so the
/// paragraph stays `:empty`). One function, so the three fields share one compiled
/// closure type.
fn error_text(
    errors: RwSignal<Vec<FieldError>>,
    name: &'static str,
) -> impl Fn() -> Option<String> {
    move || {
        errors.with(|errors| {
            errors
                .iter()
                .find(|e| e.field == name)
                .map(|e| e.error.clone())
        })
    }
}

/// `"true"` when field `name` has an error: the field's wrapper gets
/// `data-invalid="true"`, which the stylesheet marks.
fn invalid(errors: RwSignal<Vec<FieldError>>, name: &'static str) -> impl Fn() -> String {
    move || {
        errors
            .with(|e| e.iter().any(|e| e.field == name))
            .to_string()
    }
}

/// The `name` and value of the form field an event happened on.
fn field_of(ev: &web_sys::Event) -> Option<(String, String)> {
    use wasm_bindgen::JsCast;
    let target = ev.target()?;
    if let Some(input) = target.dyn_ref::<web_sys::HtmlInputElement>() {
        return Some((input.name(), input.value()));
    }
    let area = target.dyn_ref::<web_sys::HtmlTextAreaElement>()?;
    Some((area.name(), area.value()))
}
