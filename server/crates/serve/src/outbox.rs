//! Delivery of the outbox: contact messages forwarded to an email or CRM endpoint
//! (a webhook URL taking JSON), with retries and exponential backoff.
//!
//! Delivery is at least once: an entry whose POST was cut short (a shutdown in the
//! middle, a lost answer) is sent again. Each request carries the entry's id in the
//! `Atoll-Outbox-Id` header for the receiver to drop duplicates.
//!
//! Entries are written in the same transaction as the message they carry (see
//! [`Store::insert_message`]), so nothing acknowledged is lost; the worker only marks
//! them delivered after a 2xx. Because the queue lives in the database, entries due while the
//! server was down are sent when it starts again. An entry is tried at most
//! [`Forwarding::max_attempts`] times; the wait after the n-th failure is
//! `base_delay × 2^(n-1)`, at most [`Forwarding::max_delay`]. Given-up entries keep
//! `failed_at` and `last_error` for a human.

use std::sync::Arc;
use std::time::Duration;

use chrono::Utc;

use crate::store::{OutboxItem, Store};

/// Where and how the outbox delivers.
#[derive(Clone, Debug)]
pub struct Forwarding {
    /// The endpoint each entry's JSON payload is POSTed to.
    pub url: reqwest::Url,
    /// Deliveries tried before an entry is given up (at least 1).
    pub max_attempts: u32,
    /// Wait after the first failure; doubled after each further one.
    pub base_delay: Duration,
    /// Longest wait between two attempts.
    pub max_delay: Duration,
    /// How often the queue is checked when it has nothing due.
    pub poll_interval: Duration,
    /// Time limit of one delivery.
    pub timeout: Duration,
}

impl Forwarding {
    /// Defaults for `url`: 8 attempts, waits of 30 s doubling (30 s, 1, 2, 4, 8, 16,
    /// 32 min; capped at 1 h), so the last try is about 64 min after the first; polled
    /// every second, 10 s per delivery.
    pub fn new(url: reqwest::Url) -> Self {
        Self {
            url,
            max_attempts: 8,
            base_delay: Duration::from_secs(30),
            max_delay: Duration::from_secs(3600),
            poll_interval: Duration::from_secs(1),
            timeout: Duration::from_secs(10),
        }
    }

    /// The wait after `failures` failed deliveries (1 for the first).
    pub fn backoff(&self, failures: u32) -> Duration {
        let factor = 2u32.saturating_pow(failures.saturating_sub(1));
        self.base_delay.saturating_mul(factor).min(self.max_delay)
    }
}

/// Delivers due outbox entries until `shutdown` resolves. Database errors are logged
/// and retried at the next poll.
pub async fn run(
    store: Arc<Store>,
    forwarding: Forwarding,
    shutdown: impl std::future::Future<Output = ()>,
) {
    // No redirects: a 301/302/303 would turn the POST into a bodiless GET whose 2xx
    // would mark an undelivered entry delivered. A 3xx is a failed delivery.
    let client = match reqwest::Client::builder()
        .timeout(forwarding.timeout)
        .redirect(reqwest::redirect::Policy::none())
        .build()
    {
        Ok(client) => client,
        Err(error) => {
            tracing::error!(%error, "outbox: cannot create the HTTP client; forwarding is off");
            return;
        }
    };
    tokio::pin!(shutdown);
    // Entries of the pass under way not yet recorded: at shutdown their lease is ended,
    // so that the next start (or another server) sends them at once.
    let claimed = std::sync::Mutex::new(std::collections::BTreeSet::new());
    loop {
        let delivered_any = tokio::select! {
            () = &mut shutdown => break,
            result = deliver_claimed(&store, &client, &forwarding, &claimed) => result,
        };
        if !delivered_any {
            tokio::select! {
                () = &mut shutdown => break,
                () = tokio::time::sleep(forwarding.poll_interval) => {}
            }
        }
    }
    let unsent: Vec<i64> = std::mem::take(&mut *claimed.lock().expect("claimed lock"))
        .into_iter()
        .collect();
    if !unsent.is_empty() {
        let released =
            tokio::task::spawn_blocking(move || store.release_outbox(&unsent, Utc::now())).await;
        if !matches!(released, Ok(Ok(()))) {
            tracing::warn!("outbox: claimed entries stay leased until their lease ends");
        }
    }
}

/// Entries claimed per pass.
const BATCH: usize = 50;

/// One pass: claims the entries due now (at most 50, [`Store::claim_outbox`]) for as
/// long as delivering them all may take (each [`Forwarding::timeout`], one after the
/// other, plus a minute), so that no other server sharing the database sends them
/// meanwhile; then tries each. Returns whether another pass may
/// have work at once: some entries were due and every outcome was recorded (when
/// recording fails, the caller waits a poll interval rather than retrying hot).
pub async fn deliver_due(
    store: &Arc<Store>,
    client: &reqwest::Client,
    forwarding: &Forwarding,
) -> bool {
    deliver_claimed(store, client, forwarding, &Default::default()).await
}

/// [`deliver_due`], keeping in `claimed` the ids claimed and not yet recorded.
async fn deliver_claimed(
    store: &Arc<Store>,
    client: &reqwest::Client,
    forwarding: &Forwarding,
    claimed: &std::sync::Mutex<std::collections::BTreeSet<i64>>,
) -> bool {
    let due = {
        let store = Arc::clone(store);
        let lease = forwarding.timeout.saturating_mul(BATCH as u32) + Duration::from_secs(60);
        let lease = chrono::Duration::from_std(lease).unwrap_or(chrono::Duration::hours(1));
        tokio::task::spawn_blocking(move || {
            let now = Utc::now();
            store.claim_outbox(now, BATCH, now + lease)
        })
        .await
    };
    let due = match due {
        Ok(Ok(due)) => due,
        Ok(Err(error)) => {
            tracing::error!(%error, "outbox: cannot read the queue");
            return false;
        }
        Err(error) => {
            tracing::error!(%error, "outbox: reader panicked");
            return false;
        }
    };
    let mut any = !due.is_empty();
    claimed
        .lock()
        .expect("claimed lock")
        .extend(due.iter().map(|item| item.id));
    for item in due {
        let outcome = deliver(client, forwarding, &item).await;
        let store = Arc::clone(store);
        let failures = item.attempts + 1;
        let retry_at = (failures < forwarding.max_attempts.max(1)).then(|| {
            Utc::now()
                + chrono::Duration::from_std(forwarding.backoff(failures)).unwrap_or_default()
        });
        let id = item.id;
        let recorded = tokio::task::spawn_blocking(move || match outcome {
            Ok(()) => store.outbox_delivered(id),
            Err(error) => {
                match retry_at {
                    Some(at) => tracing::warn!(id, failures, %error, retry_at = %at, "outbox: delivery failed"),
                    None => tracing::error!(id, failures, %error, "outbox: delivery failed; giving up"),
                }
                store.outbox_failed(id, &error, retry_at)
            }
        })
        .await;
        claimed.lock().expect("claimed lock").remove(&id);
        if !matches!(recorded, Ok(Ok(()))) {
            tracing::error!(id, "outbox: cannot record the delivery outcome");
            any = false;
        }
    }
    any
}

async fn deliver(
    client: &reqwest::Client,
    forwarding: &Forwarding,
    item: &OutboxItem,
) -> Result<(), String> {
    let response = client
        .post(forwarding.url.clone())
        .header(reqwest::header::CONTENT_TYPE, "application/json")
        .header("atoll-outbox-id", item.id.to_string())
        .body(item.payload.clone())
        .send()
        .await
        .map_err(|error| error.to_string())?;
    if response.status().is_success() {
        Ok(())
    } else {
        Err(format!("{} answered {}", forwarding.url, response.status()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_up_to_the_cap() {
        let mut f = Forwarding::new("http://127.0.0.1:1/".parse().unwrap());
        f.base_delay = Duration::from_secs(30);
        assert_eq!(f.backoff(1), Duration::from_secs(30));
        assert_eq!(f.backoff(2), Duration::from_secs(60));
        assert_eq!(f.backoff(5), Duration::from_secs(480));
        assert_eq!(f.backoff(40), Duration::from_secs(3600));
    }
}
