//! Purges by cache tag in a caching proxy or CDN in front of `atoll serve`.
//!
//! Every page carries its tags ([`app::cache_tags`]) in `Cache-Tag` (comma-separated)
//! and `Surrogate-Key` (space-separated), its own `url:` tag first. After a
//! revalidation ([`crate::AppState::revalidate_on_demand`]) the server asks the
//! configured [`Purger`] to drop every cached response carrying one of:
//!
//! * the `url:` tag of each page whose HTML changed or that is gone, and
//! * the tags the webhook named (Next.js' `revalidateTag` semantics),
//!
//! so pages the change did not touch stay cached at the proxy. Each server of a group
//! purges after its own revalidation: a proxy that fetched a page from a server that
//! had not re-rendered yet is purged again once that server has.
//!
//! Implementations ([`PurgerConfig`]):
//!
//! * [`Varnish`]: `PURGE /` with the tags in an `xkey-purge` header, space-separated,
//!   for a VCL that calls `xkey.purge()` (varnish-modules' xkey vmod; the README's VCL
//!   copies `Surrogate-Key` into `xkey`).
//! * [`Cloudflare`]: `POST /client/v4/zones/{zone}/purge_cache` with `{"tags": […]}` and
//!   a bearer API token, at most 100 tags per request (Cloudflare's limit per purge
//!   request on every plan).
//! * [`Fastly`]: `POST /service/{service}/purge` with a `Surrogate-Key` header of up to
//!   256 space-separated keys (Fastly's limit) and the `Fastly-Key` token.
//!
//! A 429 or 5xx answer is retried after its `Retry-After` (at most 3 attempts, at most
//! 30 s apart); each request has a 10-second time limit. A purge that still fails is
//! logged: the pages are already re-rendered, and the proxy's copies expire by their
//! `Cache-Control`.

use std::future::Future;
use std::pin::Pin;
use std::time::Duration;

use reqwest::{Method, StatusCode, Url};

/// Attempts of one purge request (a 429 or 5xx is retried).
const ATTEMPTS: usize = 3;
/// Longest wait between attempts.
const MAX_WAIT: Duration = Duration::from_secs(30);
/// Time limit of one purge request.
const TIMEOUT: Duration = Duration::from_secs(10);
/// Bytes of tags in one Varnish `xkey-purge` header (Varnish's default
/// `http_req_hdr_len` is 8 KB).
const VARNISH_HEADER_BYTES: usize = 4096;

/// Why a purge failed.
#[derive(Debug, thiserror::Error)]
pub enum PurgeError {
    /// The request could not be sent or timed out.
    #[error("purge request to {url} failed: {source}")]
    Request {
        /// The endpoint.
        url: String,
        /// The HTTP client's error.
        #[source]
        source: reqwest::Error,
    },
    /// The proxy or CDN answered with an error status.
    #[error("{url} answered {status} to the purge: {body}")]
    Status {
        /// The endpoint.
        url: String,
        /// Its status.
        status: StatusCode,
        /// The start of its answer (at most 500 bytes).
        body: String,
    },
}

/// A future returned by [`Purger::purge`].
pub type PurgeFuture<'a> = Pin<Box<dyn Future<Output = Result<(), PurgeError>> + Send + 'a>>;

/// Something that drops cached responses by tag. Implementations batch the tags in
/// requests their API accepts.
pub trait Purger: Send + Sync + std::fmt::Debug {
    /// A short name for logs (`varnish`, `cloudflare`, `fastly`).
    fn name(&self) -> &'static str;

    /// Purges every cached response carrying one of `tags`; empty `tags` send nothing.
    ///
    /// # Errors
    /// The first request that failed after its retries.
    fn purge<'a>(&'a self, tags: &'a [String]) -> PurgeFuture<'a>;
}

/// Which purger `atoll serve --purge` builds.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PurgerConfig {
    /// Varnish at `url` (e.g. `http://127.0.0.1:6081/`).
    Varnish {
        /// Where Varnish listens.
        url: Url,
    },
    /// Cloudflare zone `zone`, with an API token allowed to purge it.
    Cloudflare {
        /// The API's base (`https://api.cloudflare.com/client/v4/`; tests use a local one).
        api: Url,
        /// The zone id.
        zone: String,
        /// The API token (Zone → Cache Purge permission).
        token: String,
    },
    /// Fastly service `service`, with an API token allowed to purge it.
    Fastly {
        /// The API's base (`https://api.fastly.com/`).
        api: Url,
        /// The service id.
        service: String,
        /// The API token (`purge_select` scope).
        token: String,
    },
}

impl PurgerConfig {
    /// Cloudflare's API base.
    pub const CLOUDFLARE_API: &'static str = "https://api.cloudflare.com/client/v4/";
    /// Fastly's API base.
    pub const FASTLY_API: &'static str = "https://api.fastly.com/";

    /// Builds the purger.
    ///
    /// # Errors
    /// The HTTP client cannot be created (no TLS roots).
    pub fn build(self) -> Result<Box<dyn Purger>, reqwest::Error> {
        let client = reqwest::Client::builder()
            .timeout(TIMEOUT)
            .redirect(reqwest::redirect::Policy::none())
            .build()?;
        Ok(match self {
            Self::Varnish { url } => Box::new(Varnish { client, url }),
            Self::Cloudflare { api, zone, token } => Box::new(Cloudflare {
                client,
                api,
                zone,
                token,
            }),
            Self::Fastly {
                api,
                service,
                token,
            } => Box::new(Fastly {
                client,
                api,
                service,
                token,
            }),
        })
    }
}

/// Varnish with the xkey vmod: `PURGE` requests with an `xkey-purge` header.
#[derive(Debug)]
pub struct Varnish {
    client: reqwest::Client,
    url: Url,
}

/// Cloudflare's purge-by-tag API.
pub struct Cloudflare {
    client: reqwest::Client,
    api: Url,
    zone: String,
    token: String,
}

/// Fastly's purge-by-surrogate-key API.
pub struct Fastly {
    client: reqwest::Client,
    api: Url,
    service: String,
    token: String,
}

impl std::fmt::Debug for Cloudflare {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Cloudflare")
            .field("api", &self.api.as_str())
            .field("zone", &self.zone)
            .finish_non_exhaustive()
    }
}

impl std::fmt::Debug for Fastly {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Fastly")
            .field("api", &self.api.as_str())
            .field("service", &self.service)
            .finish_non_exhaustive()
    }
}

/// Splits `tags` into batches of at most `count` tags and `bytes` bytes (joined by one
/// separator byte); a tag longer than `bytes` goes alone.
fn batches(tags: &[String], count: usize, bytes: usize) -> Vec<&[String]> {
    let mut out = Vec::new();
    let mut start = 0;
    let mut size = 0;
    for (i, tag) in tags.iter().enumerate() {
        let grown = size + tag.len() + usize::from(i > start);
        if i > start && (i - start == count || grown > bytes) {
            out.push(&tags[start..i]);
            start = i;
            size = tag.len();
        } else {
            size = grown;
        }
    }
    if start < tags.len() {
        out.push(&tags[start..]);
    }
    out
}

/// Sends the request `build` makes, again after a 429 or 5xx (waiting its
/// `Retry-After`, else 1 s, 2 s).
async fn send(url: &Url, build: impl Fn() -> reqwest::RequestBuilder) -> Result<(), PurgeError> {
    let mut attempt = 0;
    loop {
        attempt += 1;
        let response = build().send().await.map_err(|source| PurgeError::Request {
            url: url.to_string(),
            source,
        })?;
        let status = response.status();
        if status.is_success() {
            return Ok(());
        }
        let retry = status == StatusCode::TOO_MANY_REQUESTS || status.is_server_error();
        if retry && attempt < ATTEMPTS {
            let wait = response
                .headers()
                .get(reqwest::header::RETRY_AFTER)
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.trim().parse::<u64>().ok())
                .map_or(Duration::from_secs(1 << (attempt - 1)), Duration::from_secs)
                .min(MAX_WAIT);
            tracing::warn!(%url, %status, wait_ms = wait.as_millis() as u64, "purge: retrying");
            tokio::time::sleep(wait).await;
            continue;
        }
        let mut body = response.text().await.unwrap_or_default();
        if body.len() > 500 {
            let mut end = 500;
            while !body.is_char_boundary(end) {
                end -= 1;
            }
            body.truncate(end);
        }
        return Err(PurgeError::Status {
            url: url.to_string(),
            status,
            body,
        });
    }
}

impl Purger for Varnish {
    fn name(&self) -> &'static str {
        "varnish"
    }

    fn purge<'a>(&'a self, tags: &'a [String]) -> PurgeFuture<'a> {
        Box::pin(async move {
            let method = Method::from_bytes(b"PURGE").expect("PURGE is a token");
            for batch in batches(tags, usize::MAX, VARNISH_HEADER_BYTES) {
                let keys = batch.join(" ");
                send(&self.url, || {
                    self.client
                        .request(method.clone(), self.url.clone())
                        .header("xkey-purge", &keys)
                })
                .await?;
            }
            Ok(())
        })
    }
}

impl Purger for Cloudflare {
    fn name(&self) -> &'static str {
        "cloudflare"
    }

    fn purge<'a>(&'a self, tags: &'a [String]) -> PurgeFuture<'a> {
        Box::pin(async move {
            let url = self
                .api
                .join(&format!("zones/{}/purge_cache", self.zone))
                .expect("a zone id joins a URL");
            for batch in batches(tags, 100, usize::MAX) {
                let body = serde_json::json!({ "tags": batch });
                send(&url, || {
                    self.client
                        .post(url.clone())
                        .bearer_auth(&self.token)
                        .json(&body)
                })
                .await?;
            }
            Ok(())
        })
    }
}

impl Purger for Fastly {
    fn name(&self) -> &'static str {
        "fastly"
    }

    fn purge<'a>(&'a self, tags: &'a [String]) -> PurgeFuture<'a> {
        Box::pin(async move {
            let url = self
                .api
                .join(&format!("service/{}/purge", self.service))
                .expect("a service id joins a URL");
            for batch in batches(tags, 256, usize::MAX) {
                let keys = batch.join(" ");
                send(&url, || {
                    self.client
                        .post(url.clone())
                        .header("fastly-key", &self.token)
                        .header("surrogate-key", &keys)
                        .header(reqwest::header::ACCEPT, "application/json")
                })
                .await?;
            }
            Ok(())
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tags(n: usize) -> Vec<String> {
        (0..n).map(|i| format!("url:/posts/p{i}/")).collect()
    }

    #[test]
    fn batches_respect_count_and_bytes() {
        let all = tags(250);
        let by_count = batches(&all, 100, usize::MAX);
        assert_eq!(
            by_count.iter().map(|b| b.len()).collect::<Vec<_>>(),
            [100, 100, 50]
        );
        let by_bytes = batches(&all, usize::MAX, 100);
        assert!(
            by_bytes.iter().all(|b| b.join(" ").len() <= 100),
            "{by_bytes:?}"
        );
        assert_eq!(by_bytes.iter().map(|b| b.len()).sum::<usize>(), 250);
        let long = vec!["x".repeat(300), "y".to_owned()];
        assert_eq!(batches(&long, usize::MAX, 100).len(), 2);
        assert!(batches(&[], 100, 100).is_empty());
    }
}
