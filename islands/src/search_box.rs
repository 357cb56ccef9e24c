//! The search island: a search field that queries `GET /api/search` as the visitor types.

use std::time::Duration;

use leptos::prelude::*;
use wasm_bindgen::JsCast;

use atoll_api::{SearchResponse, SearchResult};

/// Wait after the last keystroke before a query is sent.
const DEBOUNCE: Duration = Duration::from_millis(300);

#[derive(Clone, Debug, PartialEq)]
enum Status {
    /// Nothing typed yet, or the field was cleared.
    Idle,
    /// A request is in flight.
    Loading(String),
    /// The API answered.
    Done(SearchResponse),
    /// The request failed; the message is shown to the visitor.
    Failed(String),
}

/// Site search, hydrated in the browser.
///
/// Server-rendered as a `<form role="search">` whose field is named `q`; once hydrated,
/// typing queries `GET /api/search?q=…&limit=…` 300 ms after the last keystroke
/// (only the answer to the latest query is shown). When no API answers (the site is a
/// static export on a CDN), the island searches the export's sharded index with the
/// search engine module (the same ranking code in its own small WASM file, downloaded
/// only then), which fetches only the shards and documents the query needs. The status line is an `aria-live`
/// region, so screen readers announce "Searching…" and the number of results. Keyboard:
/// ↓ from the field moves to the first result, ↑/↓ move between results, Esc returns
/// to the field. The root element carries `data-hydrated="true"` once interactive.
#[island]
pub fn SearchBox(
    /// Maximum number of results to show (the API accepts 1–50).
    limit: usize,
) -> impl IntoView {
    let (status, set_status) = signal(Status::Idle);
    let (hydrated, set_hydrated) = signal(false);
    // Effects run only in the browser: this marks the island as hydrated.
    Effect::new(move |_| set_hydrated.set(true));

    // Sequence number of the latest query; answers to older ones are dropped.
    let latest = StoredValue::new(0u64);
    let timer = StoredValue::new(None::<TimeoutHandle>);
    let input_ref = NodeRef::<leptos::html::Input>::new();
    let list_ref = NodeRef::<leptos::html::Ol>::new();

    let on_input = move |ev: leptos::ev::Event| {
        if let Some(handle) = timer.get_value() {
            handle.clear();
        }
        latest.update_value(|n| *n += 1);
        // Sent untrimmed: a trailing space tells the API the last word is complete.
        let query = event_target_value(&ev);
        if query.trim().is_empty() {
            set_status.set(Status::Idle);
            return;
        }
        let handle = set_timeout_with_handle(
            move || {
                let id = latest.get_value();
                set_status.set(Status::Loading(query.trim().to_owned()));
                leptos::task::spawn_local(async move {
                    let answer = fetch_results(&query, limit).await;
                    if latest.get_value() != id {
                        return; // a newer query was typed meanwhile
                    }
                    set_status.set(match answer {
                        Ok(response) => Status::Done(response),
                        Err(message) => Status::Failed(message),
                    });
                });
            },
            DEBOUNCE,
        );
        timer.set_value(handle.ok());
    };

    let on_input_keydown = move |ev: leptos::ev::KeyboardEvent| {
        if ev.key() == "ArrowDown" && focus_result(list_ref, |_, _| 0) {
            ev.prevent_default();
        }
    };
    let on_list_keydown = move |ev: leptos::ev::KeyboardEvent| {
        let moved = match ev.key().as_str() {
            "ArrowDown" => focus_result(list_ref, |current, len| {
                current.map_or(0, |i| (i + 1).min(len - 1))
            }),
            "ArrowUp" => match focused_index(list_ref) {
                Some(0) | None => input_ref.get().is_some_and(|input| input.focus().is_ok()),
                Some(_) => focus_result(list_ref, |current, _| current.map_or(0, |i| i - 1)),
            },
            "Escape" => input_ref.get().is_some_and(|input| input.focus().is_ok()),
            _ => false,
        };
        if moved {
            ev.prevent_default();
        }
    };

    let status_text = move || match status.get() {
        Status::Idle => String::new(),
        Status::Loading(query) => format!("Searching for “{query}”…"),
        Status::Done(response) => match response.total {
            0 => format!("No results for “{}”.", response.query),
            1 => format!("1 result for “{}”.", response.query),
            n if n > response.results.len() => format!(
                "{n} results for “{}”, showing the best {}.",
                response.query,
                response.results.len()
            ),
            n => format!("{n} results for “{}”.", response.query),
        },
        Status::Failed(message) => format!("Search failed: {message}"),
    };
    let results = move || match status.get() {
        Status::Done(response) => response.results,
        _ => Vec::new(),
    };

    view! {
        <div class="search" data-hydrated=move || hydrated.get().to_string()>
            <form role="search" action="/search/" method="get" on:submit=|ev| ev.prevent_default()>
                <label for="search-input">"Search the site"</label>
                <input
                    id="search-input"
                    node_ref=input_ref
                    type="search"
                    name="q"
                    autocomplete="off"
                    spellcheck="false"
                    placeholder="Try “islands” or “deploy”"
                    aria-controls="search-results"
                    aria-describedby="search-status"
                    on:input=on_input
                    on:keydown=on_input_keydown
                />
            </form>
            <p
                id="search-status"
                class="search-status"
                role="status"
                aria-live="polite"
                aria-busy=move || matches!(status.get(), Status::Loading(_)).to_string()
            >
                {status_text}
            </p>
            <ol
                id="search-results"
                class="search-results"
                node_ref=list_ref
                on:keydown=on_list_keydown
                inner_html=move || results_html(&results())
            ></ol>
        </div>
    }
}

/// The result list's items. Rendered as a string (escaped): a keyed list would add the
/// diffing code to the bundle, and a new answer replaces every row anyway (the
/// excerpts change with the query even where the URL stays).
fn results_html(hits: &[SearchResult]) -> String {
    let mut html = String::new();
    for hit in hits {
        let url = crate::escape(&hit.url);
        html.push_str(&format!(
            "<li class=\"search-result\"><a href=\"{url}\">{}</a><p class=\"search-excerpt\">{}</p><p class=\"search-url\">{url}</p></li>",
            crate::escape(&hit.title),
            crate::escape(&hit.excerpt),
        ));
    }
    html
}

/// The result links currently shown.
fn result_links(list: NodeRef<leptos::html::Ol>) -> Vec<web_sys::HtmlElement> {
    let Some(list) = list.get() else {
        return Vec::new();
    };
    let Ok(nodes) = list.query_selector_all("a") else {
        return Vec::new();
    };
    (0..nodes.length())
        .filter_map(|i| nodes.item(i))
        .filter_map(|node| node.dyn_into::<web_sys::HtmlElement>().ok())
        .collect()
}

/// Index of the focused result link, if one has the focus.
fn focused_index(list: NodeRef<leptos::html::Ol>) -> Option<usize> {
    let active = document().active_element()?;
    result_links(list)
        .iter()
        .position(|link| link.is_same_node(Some(&active)))
}

/// Focuses the result chosen by `pick(current, count)`; false when there is none.
fn focus_result(
    list: NodeRef<leptos::html::Ol>,
    pick: impl FnOnce(Option<usize>, usize) -> usize,
) -> bool {
    let links = result_links(list);
    if links.is_empty() {
        return false;
    }
    let index = pick(focused_index(list), links.len());
    links.get(index).is_some_and(|link| link.focus().is_ok())
}

/// Where the answers come from, decided by the first query.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Backend {
    Unknown,
    /// `GET /api/search` answered: the server ranks.
    Api,
    /// No API (a static host): the export's sharded index, searched by the search
    /// engine module (`search.js` + `search_bg.wasm`, the same ranking code compiled
    /// separately), which the loader downloads only then.
    Static,
}

thread_local! {
    static BACKEND: std::cell::Cell<Backend> = const { std::cell::Cell::new(Backend::Unknown) };
}

/// The results of `query`: from the API when it answers, else (a static host: the first
/// request gets a 404/405/501 or a page instead of JSON) from the static index, for
/// the rest of the visit.
async fn fetch_results(query: &str, limit: usize) -> Result<SearchResponse, String> {
    use atoll_api::client::{get_json, Answer};
    use atoll_api::SEARCH_PATH;

    if BACKEND.get() != Backend::Static {
        let path = format!(
            "{SEARCH_PATH}?q={}&limit={limit}",
            atoll_api::client::encode_component(query)
        );
        match get_json::<SearchResponse>(&path).await? {
            Answer::Ok(_, response) => {
                BACKEND.set(Backend::Api);
                return Ok(response);
            }
            // No API here: a static host's 404/405/501, or a page (an SPA fallback's
            // 200) instead of JSON. The API's own errors name a field (`q`, `limit`).
            Answer::Err(status, error)
                if BACKEND.get() == Backend::Unknown
                    && error.field.is_none()
                    && matches!(status, 200..=299 | 404 | 405 | 501) =>
            {
                BACKEND.set(Backend::Static)
            }
            // Anything else (a network blip, a restart) is shown, and the next query
            // asks the API again.
            Answer::Err(_, error) => return Err(error.error),
        }
    }
    static_search(query, limit).await
}

/// Runs `query` in the search engine module, through the loader's `atollSearch`.
#[cfg(feature = "hydrate")]
async fn static_search(query: &str, limit: usize) -> Result<SearchResponse, String> {
    use wasm_bindgen::prelude::*;

    #[wasm_bindgen]
    extern "C" {
        #[wasm_bindgen(js_namespace = window, js_name = atollSearch, catch)]
        fn atoll_search(query: &str, limit: u32) -> Result<js_sys::Promise, JsValue>;
    }
    let failed = |_| "search is not available on this site".to_owned();
    let promise = atoll_search(query, limit as u32).map_err(failed)?;
    let json = wasm_bindgen_futures::JsFuture::from(promise)
        .await
        .map_err(failed)?
        .as_string()
        .unwrap_or_default();
    serde_json::from_str(&json).map_err(|err| format!("unexpected answer ({err})"))
}

/// Server side: never called.
#[cfg(not(feature = "hydrate"))]
async fn static_search(_query: &str, _limit: usize) -> Result<SearchResponse, String> {
    Err("search runs in the browser".to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn results_are_escaped() {
        let html = results_html(&[SearchResult {
            title: "<b>Islands</b> & more".into(),
            url: "/posts/a\"b/".into(),
            excerpt: "x < y".into(),
            score: 1.0,
        }]);
        assert_eq!(
            html,
            "<li class=\"search-result\"><a href=\"/posts/a&quot;b/\">&lt;b&gt;Islands&lt;/b&gt; &amp; more</a><p class=\"search-excerpt\">x &lt; y</p><p class=\"search-url\">/posts/a&quot;b/</p></li>"
        );
    }
}
