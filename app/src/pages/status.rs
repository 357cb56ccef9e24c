use leptos::prelude::*;

use crate::layout::PageMeta;
use crate::model::Site;
use crate::modes::RenderMode;
use crate::reads::{Cx, StatusInfo};
use crate::route::{Params, Route, Sitemap};

/// `/status/`: build id, server time and cache statistics, rendered for every request (SSR) by `atoll serve` from its [`Live`](crate::Live) data; not exported.
pub struct Status;

impl Route for Status {
    fn name(&self) -> &'static str {
        "status"
    }

    fn patterns(&self) -> &'static [&'static str] {
        &["/status/"]
    }

    fn mode(&self) -> RenderMode {
        RenderMode::Ssr
    }

    fn paths(&self, _site: &Site) -> Vec<Params> {
        vec![Params::new()]
    }

    fn sitemap(&self, _site: &Site, _params: &Params) -> Sitemap {
        Sitemap::Unlisted
    }

    fn view(&self, cx: &Cx, _params: &Params) -> Option<(PageMeta, AnyView)> {
        let info = cx.live()?.status()?;
        Some(status(&info))
    }
}

/// `/status/`: build id, server time and page cache statistics. Not indexable.
fn status(info: &StatusInfo) -> (PageMeta, AnyView) {
    let rows = info
        .cache
        .iter()
        .map(|(name, value)| {
            view! { <tr><th scope="row">{name.clone()}</th><td>{*value}</td></tr> }
        })
        .collect_view();
    let view = view! {
        <h1>"Server status"</h1>
        <p>"Rendered for this request (SSR): it is never cached."</p>
        <dl class="status">
            <dt>"Build"</dt><dd><code id="build-id">{info.build_id.clone()}</code></dd>
            <dt>"Server time"</dt><dd><time id="server-time" datetime=info.server_time.clone()>{info.server_time.clone()}</time></dd>
            <dt>"Started"</dt><dd><time datetime=info.started_at.clone()>{info.started_at.clone()}</time></dd>
            <dt>"Content"</dt><dd>"generation "{info.content_generation}", loaded "<time datetime=info.content_loaded_at.clone()>{info.content_loaded_at.clone()}</time></dd>
        </dl>
        <h2>"Page cache"</h2>
        <table class="status-cache"><tbody>{rows}</tbody></table>
    }
    .into_any();
    let mut meta = PageMeta::new(
        Some("Server status".into()),
        "Build, server time and cache statistics.".to_owned(),
        "/status/",
    );
    meta.indexable = false;
    (meta, view)
}
