//! The database of live stock, orders, contact submissions, the outbox and webhook
//! delivery ids: one SQLite file (the embedded default, [`Store::open`]) or a
//! PostgreSQL database shared by several `atoll serve` instances ([`Store::connect`],
//! `--db postgres://…`). Both backends have the same schema (one migration list each,
//! numbered alike, in their SQL dialects) and the same semantics:
//!
//! * a checkout decrements the stock of its lines and writes the order in one
//!   transaction, with a conditional `UPDATE … SET stock = stock - n WHERE stock >= n`,
//!   so no product is oversold however many servers sell it;
//! * an `Idempotency-Key` places one order (or stores one message) whatever the number
//!   of retries, on whichever server they land;
//! * every acknowledged order and message is committed (on disk) before the answer;
//! * each outbox entry is claimed by one server at a time ([`Store::claim_outbox`]);
//! * a webhook delivery id is recorded once, so a replay to any server is recognised
//!   ([`Store::reserve_webhook`]).
//!
//! Every method blocks: handlers call them from `tokio::task::spawn_blocking`.

mod postgres;
mod sqlite;

use std::path::Path;
use std::time::Duration;

use app::Product;
use atoll_api::{Order, QuoteLine};
use chrono::{DateTime, SecondsFormat, Utc};

pub use self::postgres::{Postgres, PG_MIGRATIONS};
pub use self::sqlite::{Sqlite, MIGRATIONS};

/// How long an identical contact message (same email, same text) is answered as a
/// replay of the first instead of being stored again, in seconds (600: ten minutes).
/// It protects the JavaScript-less form, a static page that cannot carry a per-visitor
/// `Idempotency-Key`, from the double submits and retries of impatient senders.
pub const CONTACT_DEDUPE_SECONDS: i64 = 600;

/// How long a webhook delivery id is remembered: twice the signature's timestamp
/// tolerance ([`crate::webhook::TOLERANCE`], 5 minutes), since an older delivery is
/// refused by its timestamp anyway.
pub fn webhook_memory() -> chrono::Duration {
    chrono::Duration::seconds(2 * crate::webhook::TOLERANCE as i64)
}

/// What can go wrong with the database.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The file cannot be created or opened, or the server cannot be reached at start.
    #[error("cannot open the database `{location}`: {source}")]
    Open {
        /// The database file, or the PostgreSQL URL without its password.
        location: String,
        /// SQLite's, PostgreSQL's or the file system's error.
        #[source]
        source: Box<dyn std::error::Error + Send + Sync>,
    },
    /// The database was migrated by a newer Atoll.
    #[error("the database `{location}` has schema version {found}, newer than this Atoll's {known}; upgrade Atoll or use another --db")]
    TooNew {
        /// The database file or URL.
        location: String,
        /// Its schema version.
        found: i64,
        /// The newest version this build knows.
        known: usize,
    },
    /// A SQLite query failed.
    #[error("database error: {0}")]
    Sqlite(#[from] rusqlite::Error),
    /// A PostgreSQL query failed, or the connection broke.
    #[error("database error: {0}")]
    Postgres(#[from] ::postgres::Error),
    /// No PostgreSQL connection could be had within the pool's timeout (the server is
    /// down or unreachable).
    #[error("the database is unreachable: {0}")]
    Unreachable(String),
    /// The operation exists for SQLite only (`limit_pages`, `page_count`).
    #[error("`{0}` is not supported on PostgreSQL")]
    Unsupported(&'static str),
}

impl StoreError {
    /// `true` when the database or its disk is full (`SQLITE_FULL`: no space left, or
    /// `max_page_count` reached; PostgreSQL's `53100 disk_full`); the transaction was
    /// rolled back and nothing written.
    pub fn is_full(&self) -> bool {
        match self {
            Self::Sqlite(rusqlite::Error::SqliteFailure(error, _)) => {
                error.code == rusqlite::ErrorCode::DiskFull
            }
            Self::Postgres(error) => error.code() == Some(&::postgres::error::SqlState::DISK_FULL),
            _ => false,
        }
    }

    /// `true` when the database cannot be reached now (a lost or refused PostgreSQL
    /// connection, SQLSTATE class 08, a server shutting down or starting, too many
    /// connections): the request was not carried out and may be retried; the pool
    /// reconnects on its own.
    pub fn is_unreachable(&self) -> bool {
        match self {
            Self::Unreachable(_) => true,
            Self::Postgres(error) => match error.code() {
                // A closed connection, or an I/O or TLS failure underneath; not a query
                // the client itself refused (a row count, a type conversion: bugs, 500).
                None => {
                    error.is_closed()
                        || std::error::Error::source(error)
                            .is_some_and(|source| source.is::<std::io::Error>())
                }
                Some(code) => {
                    let code = code.code();
                    code.starts_with("08") || matches!(code, "57P01" | "57P02" | "57P03" | "53300")
                }
            },
            _ => false,
        }
    }
}

/// Why a contact message was not stored.
#[derive(Debug, thiserror::Error)]
pub enum MessageError {
    /// The `Idempotency-Key` was used before with a different message.
    #[error("this Idempotency-Key was already used with a different message")]
    KeyReused,
    /// The database failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<rusqlite::Error> for MessageError {
    fn from(error: rusqlite::Error) -> Self {
        Self::Store(StoreError::Sqlite(error))
    }
}

impl From<::postgres::Error> for MessageError {
    fn from(error: ::postgres::Error) -> Self {
        Self::Store(StoreError::Postgres(error))
    }
}

/// The result of [`Store::insert_message`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Stored {
    /// The message's row id (the first one's, for a replay).
    pub id: i64,
    /// `true` when the message was stored before (same key, or the same email and text
    /// within [`CONTACT_DEDUPE_SECONDS`]) and nothing was written now.
    pub replayed: bool,
}

/// Why a checkout did not place an order.
#[derive(Debug, thiserror::Error)]
pub enum CheckoutError {
    /// The `Idempotency-Key` was used before with a different request.
    #[error("this Idempotency-Key was already used with a different request")]
    KeyReused,
    /// A line asks for more than is in stock now.
    #[error("only {available} of `{product_id}` in stock")]
    OutOfStock {
        /// Index of the line in `items`.
        line: usize,
        /// The product.
        product_id: String,
        /// Units in stock.
        available: u32,
    },
    /// The database failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<rusqlite::Error> for CheckoutError {
    fn from(error: rusqlite::Error) -> Self {
        Self::Store(StoreError::Sqlite(error))
    }
}

impl From<::postgres::Error> for CheckoutError {
    fn from(error: ::postgres::Error) -> Self {
        Self::Store(StoreError::Postgres(error))
    }
}

/// Live stock of one product.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Inventory {
    /// Units in stock.
    pub stock: u32,
    /// Last change (RFC 3339, UTC).
    pub updated_at: String,
}

/// The order a checkout asks for, already priced from the catalog.
#[derive(Clone, Debug)]
pub struct NewOrder<'a> {
    /// The `Idempotency-Key` header.
    pub idempotency_key: &'a str,
    /// A hash of the request (body), to tell a retry from a reused key.
    pub request_hash: &'a str,
    /// Buyer's name.
    pub name: &'a str,
    /// Buyer's email.
    pub email: &'a str,
    /// Postal address.
    pub address: &'a str,
    /// Priced lines, each product once.
    pub lines: &'a [QuoteLine],
    /// ISO 4217 code of every line.
    pub currency: &'a str,
}

/// The result of [`Store::place_order`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Placed {
    /// The order.
    pub order: Order,
    /// `true` when the key had already placed this order (nothing was written).
    pub replayed: bool,
}

/// A contact message to store.
#[derive(Clone, Debug)]
pub struct NewMessage<'a> {
    /// Sender's name.
    pub name: &'a str,
    /// Sender's email.
    pub email: &'a str,
    /// The message.
    pub message: &'a str,
    /// Who sent it (the client address), for abuse handling.
    pub client: &'a str,
    /// The `Idempotency-Key` header, if the client sent one.
    pub idempotency_key: Option<&'a str>,
    /// A hash of the request as parsed, to tell a retry from a reused key.
    pub request_hash: &'a str,
    /// A hash of the email and the text, to find the same message posted twice.
    pub content_hash: &'a str,
}

/// A message waiting in the outbox.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OutboxItem {
    /// Row id.
    pub id: i64,
    /// What it is (`contact`).
    pub kind: String,
    /// The JSON to deliver.
    pub payload: String,
    /// Failed deliveries so far.
    pub attempts: u32,
}

/// Which database a [`Store`] uses.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    /// One SQLite file, for one server.
    Sqlite,
    /// A PostgreSQL database, shareable by several servers.
    Postgres,
}

/// The database. Cheap to share behind an `Arc`.
#[derive(Debug)]
pub enum Store {
    /// One SQLite file.
    Sqlite(Sqlite),
    /// A PostgreSQL database, through a connection pool.
    Postgres(Box<Postgres>),
}

pub(crate) fn now() -> String {
    Utc::now().to_rfc3339_opts(SecondsFormat::Millis, true)
}

pub(crate) fn timestamp(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Millis, true)
}

/// Whether `location` names a PostgreSQL database (`postgres://` or `postgresql://`,
/// libpq's URI forms) rather than a SQLite file.
pub fn is_postgres_url(location: &str) -> bool {
    location.starts_with("postgres://") || location.starts_with("postgresql://")
}

impl Store {
    /// Opens (creating it and its folder if needed) the SQLite database at `path`,
    /// switches it to WAL and runs the pending [`MIGRATIONS`].
    ///
    /// # Errors
    /// [`StoreError::Open`] when the file cannot be created or is not a database,
    /// [`StoreError::TooNew`] for a newer schema, [`StoreError::Sqlite`] when a
    /// migration fails (it is rolled back).
    pub fn open(path: &Path) -> Result<Self, StoreError> {
        Sqlite::open(path).map(Self::Sqlite)
    }

    /// Connects to the PostgreSQL database at `url` (libpq's URI form,
    /// `postgres://user:password@host:port/dbname`) with a pool of up to `pool_size`
    /// connections, and runs the pending [`PG_MIGRATIONS`] under an advisory lock, so
    /// that servers starting together migrate once.
    ///
    /// # Errors
    /// [`StoreError::Open`] when the URL is malformed or the server cannot be reached
    /// within `connect_timeout`, [`StoreError::TooNew`] for a newer schema, a
    /// PostgreSQL error when a migration fails (it is rolled back).
    pub fn connect(
        url: &str,
        pool_size: u32,
        connect_timeout: Duration,
    ) -> Result<Self, StoreError> {
        Postgres::connect(url, pool_size, connect_timeout).map(|db| Self::Postgres(Box::new(db)))
    }

    /// [`Store::connect`] for a `postgres://` URL ([`is_postgres_url`]), else
    /// [`Store::open`] of the file, with the defaults of `atoll serve --db`: a pool of
    /// 16 connections, 5 s to connect.
    ///
    /// # Errors
    /// As [`Store::open`] or [`Store::connect`].
    pub fn open_location(location: &str) -> Result<Self, StoreError> {
        if is_postgres_url(location) {
            Self::connect(location, 16, Duration::from_secs(5))
        } else {
            Self::open(Path::new(location))
        }
    }

    /// Which database this is.
    pub fn backend(&self) -> Backend {
        match self {
            Self::Sqlite(_) => Backend::Sqlite,
            Self::Postgres(_) => Backend::Postgres,
        }
    }

    /// The database file, or the PostgreSQL URL without its password: for logs.
    pub fn location(&self) -> String {
        match self {
            Self::Sqlite(db) => db.path().display().to_string(),
            Self::Postgres(db) => db.location().to_owned(),
        }
    }

    /// Brings the live stock in line with the catalog: a product seen for the first
    /// time starts with the catalog's `stock`; when the catalog's `stock` changed since
    /// it was last applied, the difference is added to the live stock (a restock of
    /// +10 in the JSON file adds 10 units, whatever was sold meanwhile; never below 0).
    /// Servers sharing a PostgreSQL database apply each change once.
    ///
    /// # Errors
    /// A database error; nothing is changed then.
    pub fn sync_catalog(&self, products: &[Product]) -> Result<(), StoreError> {
        match self {
            Self::Sqlite(db) => db.sync_catalog(products),
            Self::Postgres(db) => db.sync_catalog(products),
        }
    }

    /// Live stock of a product, `None` when the catalog never had it.
    ///
    /// # Errors
    /// A database error.
    pub fn inventory(&self, product_id: &str) -> Result<Option<Inventory>, StoreError> {
        match self {
            Self::Sqlite(db) => db.inventory(product_id),
            Self::Postgres(db) => db.inventory(product_id),
        }
    }

    /// Places an order in one transaction: the lines' stock is decremented (or nothing
    /// is, when any line lacks stock), the order and its lines are written, and the
    /// `Idempotency-Key` is recorded with it. The same key with the same request
    /// returns the first order (`replayed`); with another request,
    /// [`CheckoutError::KeyReused`] (the IETF Idempotency-Key draft's 422).
    ///
    /// # Errors
    /// [`CheckoutError::OutOfStock`] naming the first short line,
    /// [`CheckoutError::KeyReused`], or a database error.
    pub fn place_order(&self, order: &NewOrder<'_>) -> Result<Placed, CheckoutError> {
        match self {
            Self::Sqlite(db) => db.place_order(order),
            Self::Postgres(db) => db.place_order(order),
        }
    }

    /// Stores a contact message and, when `forward` is set, an outbox entry carrying it
    /// (kind `contact`, JSON payload), in one transaction.
    ///
    /// Nothing is written for a retry: a message with the `Idempotency-Key` of an
    /// earlier one and the same request returns that one (`replayed`); one without a
    /// key whose email and text match a message of the last [`CONTACT_DEDUPE_SECONDS`]
    /// returns that one too. The key follows the checkout's rules
    /// (draft-ietf-httpapi-idempotency-key-header).
    ///
    /// # Errors
    /// [`MessageError::KeyReused`] for a key used with another message, or a database
    /// error; nothing is stored then.
    pub fn insert_message(
        &self,
        message: &NewMessage<'_>,
        forward: bool,
    ) -> Result<Stored, MessageError> {
        match self {
            Self::Sqlite(db) => db.insert_message(message, forward),
            Self::Postgres(db) => db.insert_message(message, forward),
        }
    }

    /// SQLite only: limits the database file to `pages` pages of this connection
    /// (`PRAGMA max_page_count`, not persisted); returns the limit in force. Writes
    /// past it fail as [`StoreError::is_full`], as on a full disk: the fault-injection
    /// tests use it, and an operator can cap the file's growth.
    ///
    /// # Errors
    /// A database error; [`StoreError::Unsupported`] on PostgreSQL.
    pub fn limit_pages(&self, pages: u64) -> Result<u64, StoreError> {
        match self {
            Self::Sqlite(db) => db.limit_pages(pages),
            Self::Postgres(_) => Err(StoreError::Unsupported("limit_pages")),
        }
    }

    /// SQLite only: pages the database file holds now (`PRAGMA page_count`).
    ///
    /// # Errors
    /// A database error; [`StoreError::Unsupported`] on PostgreSQL.
    pub fn page_count(&self) -> Result<u64, StoreError> {
        match self {
            Self::Sqlite(db) => db.page_count(),
            Self::Postgres(_) => Err(StoreError::Unsupported("page_count")),
        }
    }

    /// SQLite: copies the write-ahead log into the database file and truncates it
    /// (`PRAGMA wal_checkpoint(TRUNCATE)`), as `atoll serve` does before it exits: the
    /// file alone then holds everything (a backup of it needs no `-wal` beside it).
    /// PostgreSQL: nothing to do (the server checkpoints itself).
    ///
    /// # Errors
    /// A database error.
    pub fn checkpoint(&self) -> Result<(), StoreError> {
        match self {
            Self::Sqlite(db) => db.checkpoint(),
            Self::Postgres(_) => Ok(()),
        }
    }

    /// Claims up to `limit` outbox entries due at `at` (not delivered, not given up),
    /// oldest first: in the same statement their next attempt moves to `lease_until`,
    /// so no other server (nor a later pass) takes them while this one delivers. On
    /// PostgreSQL the rows are chosen `FOR UPDATE SKIP LOCKED`, so servers polling at
    /// once split the queue instead of waiting for each other. The delivery then
    /// records its outcome ([`Store::outbox_delivered`], [`Store::outbox_failed`]); a
    /// server that dies in between leaves the entry to be claimed again once the lease
    /// ends (at-least-once delivery, as the outbox promises).
    ///
    /// # Errors
    /// A database error.
    pub fn claim_outbox(
        &self,
        at: DateTime<Utc>,
        limit: usize,
        lease_until: DateTime<Utc>,
    ) -> Result<Vec<OutboxItem>, StoreError> {
        match self {
            Self::Sqlite(db) => db.claim_outbox(at, limit, lease_until),
            Self::Postgres(db) => db.claim_outbox(at, limit, lease_until),
        }
    }

    /// Ends the lease of claimed entries `ids` that were not tried (a shutdown in the
    /// middle of a pass): they are due again at `at`.
    ///
    /// # Errors
    /// A database error.
    pub fn release_outbox(&self, ids: &[i64], at: DateTime<Utc>) -> Result<(), StoreError> {
        match self {
            Self::Sqlite(db) => db.release_outbox(ids, at),
            Self::Postgres(db) => db.release_outbox(ids, at),
        }
    }

    /// Marks an outbox entry delivered.
    ///
    /// # Errors
    /// A database error.
    pub fn outbox_delivered(&self, id: i64) -> Result<(), StoreError> {
        match self {
            Self::Sqlite(db) => db.outbox_delivered(id),
            Self::Postgres(db) => db.outbox_delivered(id),
        }
    }

    /// Records a failed delivery: the next attempt is at `retry_at`, or never when
    /// `retry_at` is `None` (given up; `failed_at` is set and the entry stays for a
    /// human to look at).
    ///
    /// # Errors
    /// A database error.
    pub fn outbox_failed(
        &self,
        id: i64,
        error: &str,
        retry_at: Option<DateTime<Utc>>,
    ) -> Result<(), StoreError> {
        match self {
            Self::Sqlite(db) => db.outbox_failed(id, error, retry_at),
            Self::Postgres(db) => db.outbox_failed(id, error, retry_at),
        }
    }

    /// Records the webhook delivery `id` (Standard Webhooks' `webhook-id`, or a GitHub
    /// delivery), received at `at`, as being worked on; `true` when the caller is to do
    /// its work: the id is new, or an earlier attempt was neither finished nor released
    /// and began before `abandoned_before` (its server died). `false`: a replay, to this
    /// server or any other on the same database (finished, or being worked on now).
    /// Ids older than [`webhook_memory`] are forgotten at each call.
    ///
    /// # Errors
    /// A database error.
    pub fn reserve_webhook(
        &self,
        id: &str,
        at: DateTime<Utc>,
        abandoned_before: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        match self {
            Self::Sqlite(db) => db.reserve_webhook(id, at, abandoned_before),
            Self::Postgres(db) => db.reserve_webhook(id, at, abandoned_before),
        }
    }

    /// Marks the webhook delivery `id` done at `at`: later deliveries of it are replays.
    ///
    /// # Errors
    /// A database error.
    pub fn finish_webhook(&self, id: &str, at: DateTime<Utc>) -> Result<(), StoreError> {
        match self {
            Self::Sqlite(db) => db.finish_webhook(id, at),
            Self::Postgres(db) => db.finish_webhook(id, at),
        }
    }

    /// Forgets the webhook delivery `id` (its work failed; the sender's retry does it).
    ///
    /// # Errors
    /// A database error.
    pub fn release_webhook(&self, id: &str) -> Result<(), StoreError> {
        match self {
            Self::Sqlite(db) => db.release_webhook(id),
            Self::Postgres(db) => db.release_webhook(id),
        }
    }

    /// Checks that the database answers a query now (`/status/ready`).
    ///
    /// # Errors
    /// A database error ([`StoreError::is_unreachable`] when it cannot be reached).
    pub fn ping(&self) -> Result<(), StoreError> {
        match self {
            Self::Sqlite(db) => db.ping(),
            Self::Postgres(db) => db.ping(),
        }
    }

    /// The PostgreSQL backend, for what only it does (notifications between servers).
    pub fn postgres(&self) -> Option<&Postgres> {
        match self {
            Self::Postgres(db) => Some(db.as_ref()),
            Self::Sqlite(_) => None,
        }
    }
}

/// An order's lines as read back: the line total is recomputed from the unit price.
fn order_line(
    product_id: String,
    name: String,
    url: String,
    unit: i64,
    quantity: u32,
) -> QuoteLine {
    QuoteLine {
        product_id,
        name,
        url,
        unit_price_cents: unit as u64,
        quantity,
        line_total_cents: unit as u64 * u64::from(quantity),
        stock: None,
    }
}

/// An order as answered to the client.
fn order(
    id: i64,
    lines: Vec<QuoteLine>,
    total: i64,
    currency: String,
    created_at: String,
) -> Order {
    Order {
        order_id: id,
        lines,
        total_cents: total as u64,
        currency,
        created_at,
    }
}
