//! The embedded backend: one SQLite file in WAL mode (`--db FILE`, the default).
//!
//! * The file (and its folder) is created on first start; the schema is brought up to
//!   date by [`MIGRATIONS`], numbered by SQLite's `PRAGMA user_version`. A database made
//!   by a newer Atoll (a higher version) is refused rather than guessed at.
//! * One connection, behind a mutex: SQLite serialises writers anyway, and every
//!   operation here is a short transaction. Handlers call it from
//!   `tokio::task::spawn_blocking`.
//! * Every write is one `BEGIN IMMEDIATE` transaction, so two checkouts can never both
//!   take the last unit (the stock column also has `CHECK (stock >= 0)`).

use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};
use std::time::Duration;

use app::Product;
use atoll_api::Order;
use chrono::{DateTime, Utc};
use rusqlite::{params, Connection, OptionalExtension, TransactionBehavior};

use super::{
    now, timestamp, CheckoutError, Inventory, MessageError, NewMessage, NewOrder, OutboxItem,
    Placed, StoreError, Stored, CONTACT_DEDUPE_SECONDS,
};

/// The schema, one migration per entry: entry `i` takes the database from
/// `user_version = i` to `i + 1`. Append only; never edit a released entry.
pub const MIGRATIONS: &[&str] = &[
    // 1: stock, orders, idempotency keys, contact messages, outbox.
    "CREATE TABLE inventory (
        product_id   TEXT PRIMARY KEY,
        stock        INTEGER NOT NULL CHECK (stock >= 0),
        -- The catalog's `stock` when it was last applied: a change in the catalog
        -- (a restock) is added to the live stock once.
        seeded_stock INTEGER NOT NULL,
        updated_at   TEXT NOT NULL
    );
    CREATE TABLE orders (
        id              INTEGER PRIMARY KEY,
        idempotency_key TEXT NOT NULL UNIQUE,
        request_hash    TEXT NOT NULL,
        name            TEXT NOT NULL,
        email           TEXT NOT NULL,
        address         TEXT NOT NULL,
        total_cents     INTEGER NOT NULL,
        currency        TEXT NOT NULL,
        created_at      TEXT NOT NULL
    );
    CREATE TABLE order_lines (
        order_id         INTEGER NOT NULL REFERENCES orders(id),
        position         INTEGER NOT NULL,
        product_id       TEXT NOT NULL,
        name             TEXT NOT NULL,
        url              TEXT NOT NULL,
        unit_price_cents INTEGER NOT NULL,
        quantity         INTEGER NOT NULL,
        PRIMARY KEY (order_id, position)
    );
    CREATE TABLE contact_messages (
        id         INTEGER PRIMARY KEY,
        name       TEXT NOT NULL,
        email      TEXT NOT NULL,
        message    TEXT NOT NULL,
        client     TEXT NOT NULL,
        created_at TEXT NOT NULL
    );
    CREATE TABLE outbox (
        id              INTEGER PRIMARY KEY,
        kind            TEXT NOT NULL,
        payload         TEXT NOT NULL,
        attempts        INTEGER NOT NULL DEFAULT 0,
        next_attempt_at TEXT NOT NULL,
        last_error      TEXT,
        delivered_at    TEXT,
        failed_at       TEXT,
        created_at      TEXT NOT NULL
    );
    CREATE INDEX outbox_due ON outbox (next_attempt_at)
        WHERE delivered_at IS NULL AND failed_at IS NULL;",
    // 2: idempotent contact messages: the `Idempotency-Key` of a retry, and a hash of
    // the sender's email and text that finds the same message posted twice.
    "ALTER TABLE contact_messages ADD COLUMN idempotency_key TEXT;
    ALTER TABLE contact_messages ADD COLUMN request_hash TEXT;
    ALTER TABLE contact_messages ADD COLUMN content_hash TEXT;
    CREATE UNIQUE INDEX contact_key ON contact_messages (idempotency_key)
        WHERE idempotency_key IS NOT NULL;
    CREATE INDEX contact_content ON contact_messages (content_hash, created_at)
        WHERE content_hash IS NOT NULL;",
    // 3: webhook delivery ids, for replay protection shared by every server on the
    // database (and kept across restarts).
    "CREATE TABLE webhook_deliveries (
        id          TEXT PRIMARY KEY,
        received_at TEXT NOT NULL
    );
    CREATE INDEX webhook_deliveries_age ON webhook_deliveries (received_at);",
    // 4: when a delivery's work finished (NULL while it runs, or if its server died).
    "ALTER TABLE webhook_deliveries ADD COLUMN done_at TEXT;",
];

/// The SQLite database.
#[derive(Debug)]
pub struct Sqlite {
    conn: Mutex<Connection>,
    path: PathBuf,
}

impl Sqlite {
    /// Opens (creating it and its folder if needed) the database at `path`, switches it
    /// to WAL and runs the pending [`MIGRATIONS`].
    ///
    /// # Errors
    /// [`StoreError::Open`] when the file cannot be created or is not a database,
    /// [`StoreError::TooNew`] for a newer schema, [`StoreError::Sqlite`] when a
    /// migration fails (it is rolled back).
    pub fn open(path: &Path) -> Result<Self, StoreError> {
        let open_error = |source: Box<dyn std::error::Error + Send + Sync>| StoreError::Open {
            location: path.display().to_string(),
            source,
        };
        if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(parent).map_err(|e| open_error(e.into()))?;
        }
        let mut conn = Connection::open(path).map_err(|e| open_error(e.into()))?;
        conn.busy_timeout(Duration::from_secs(5))?;
        // `journal_mode` answers with the mode: not a database → error here.
        let mode: String = conn
            .query_row("PRAGMA journal_mode = WAL", [], |row| row.get(0))
            .map_err(|e| open_error(e.into()))?;
        if !mode.eq_ignore_ascii_case("wal") {
            return Err(open_error(
                format!("WAL mode refused (journal_mode = {mode})").into(),
            ));
        }
        // FULL: a transaction is on disk when COMMIT returns, so an order or message
        // acknowledged with a 2xx survives a power cut (NORMAL could lose the last ones).
        conn.execute_batch("PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON;")?;
        migrate(&mut conn, path)?;
        Ok(Self {
            conn: Mutex::new(conn),
            path: path.to_owned(),
        })
    }

    /// The database file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    fn conn(&self) -> MutexGuard<'_, Connection> {
        // A panic while holding the lock cannot leave a transaction open (rusqlite rolls
        // back on drop), so a poisoned lock is still usable.
        self.conn
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Brings the live stock in line with the catalog: a product seen for the first
    /// time starts with the catalog's `stock`; when the catalog's `stock` changed since
    /// it was last applied, the difference is added to the live stock (a restock of
    /// +10 in the JSON file adds 10 units, whatever was sold meanwhile; never below 0).
    ///
    /// # Errors
    /// A database error; nothing is changed then.
    pub fn sync_catalog(&self, products: &[Product]) -> Result<(), StoreError> {
        let mut conn = self.conn();
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let now = now();
        for product in products {
            let seeded: Option<i64> = tx
                .query_row(
                    "SELECT seeded_stock FROM inventory WHERE product_id = ?1",
                    [&product.id],
                    |row| row.get(0),
                )
                .optional()?;
            let catalog = i64::from(product.stock);
            match seeded {
                None => {
                    tx.execute(
                        "INSERT INTO inventory (product_id, stock, seeded_stock, updated_at)
                         VALUES (?1, ?2, ?2, ?3)",
                        params![product.id, catalog, now],
                    )?;
                }
                Some(seeded) if seeded != catalog => {
                    tx.execute(
                        "UPDATE inventory SET stock = MAX(0, stock + ?2 - seeded_stock),
                         seeded_stock = ?2, updated_at = ?3 WHERE product_id = ?1",
                        params![product.id, catalog, now],
                    )?;
                }
                Some(_) => {}
            }
        }
        tx.commit()?;
        Ok(())
    }

    /// Live stock of a product, `None` when the catalog never had it.
    ///
    /// # Errors
    /// A database error.
    pub fn inventory(&self, product_id: &str) -> Result<Option<Inventory>, StoreError> {
        let conn = self.conn();
        Ok(conn
            .query_row(
                "SELECT stock, updated_at FROM inventory WHERE product_id = ?1",
                [product_id],
                |row| {
                    Ok(Inventory {
                        stock: row.get(0)?,
                        updated_at: row.get(1)?,
                    })
                },
            )
            .optional()?)
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
        let mut conn = self.conn();
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let existing: Option<(i64, String)> = tx
            .query_row(
                "SELECT id, request_hash FROM orders WHERE idempotency_key = ?1",
                [order.idempotency_key],
                |row| Ok((row.get(0)?, row.get(1)?)),
            )
            .optional()?;
        if let Some((id, hash)) = existing {
            if hash != order.request_hash {
                return Err(CheckoutError::KeyReused);
            }
            let order = read_order(&tx, id)?;
            return Ok(Placed {
                order,
                replayed: true,
            });
        }
        let now = now();
        for (i, line) in order.lines.iter().enumerate() {
            let changed = tx.execute(
                "UPDATE inventory SET stock = stock - ?2, updated_at = ?3
                 WHERE product_id = ?1 AND stock >= ?2",
                params![line.product_id, line.quantity, now],
            )?;
            if changed == 0 {
                let available: Option<u32> = tx
                    .query_row(
                        "SELECT stock FROM inventory WHERE product_id = ?1",
                        [&line.product_id],
                        |row| row.get(0),
                    )
                    .optional()?;
                // Dropping `tx` rolls back the lines already decremented.
                return Err(CheckoutError::OutOfStock {
                    line: i,
                    product_id: line.product_id.clone(),
                    available: available.unwrap_or(0),
                });
            }
        }
        let total: u64 = order.lines.iter().map(|l| l.line_total_cents).sum();
        tx.execute(
            "INSERT INTO orders (idempotency_key, request_hash, name, email, address,
                                 total_cents, currency, created_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            params![
                order.idempotency_key,
                order.request_hash,
                order.name,
                order.email,
                order.address,
                total as i64,
                order.currency,
                now
            ],
        )?;
        let id = tx.last_insert_rowid();
        for (position, line) in order.lines.iter().enumerate() {
            tx.execute(
                "INSERT INTO order_lines (order_id, position, product_id, name, url,
                                          unit_price_cents, quantity)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                params![
                    id,
                    position as i64,
                    line.product_id,
                    line.name,
                    line.url,
                    line.unit_price_cents as i64,
                    line.quantity
                ],
            )?;
        }
        let placed = read_order(&tx, id)?;
        tx.commit()?;
        Ok(Placed {
            order: placed,
            replayed: false,
        })
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
        let mut conn = self.conn();
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let at = Utc::now();
        let now = timestamp(at);
        let earlier: Option<(i64, Option<String>)> = match message.idempotency_key {
            Some(key) => tx
                .query_row(
                    "SELECT id, request_hash FROM contact_messages WHERE idempotency_key = ?1",
                    [key],
                    |row| Ok((row.get(0)?, row.get(1)?)),
                )
                .optional()?,
            None => tx
                .query_row(
                    "SELECT id, NULL FROM contact_messages
                     WHERE content_hash = ?1 AND created_at >= ?2
                     ORDER BY id DESC LIMIT 1",
                    params![
                        message.content_hash,
                        timestamp(at - chrono::Duration::seconds(CONTACT_DEDUPE_SECONDS))
                    ],
                    |row| Ok((row.get(0)?, row.get(1)?)),
                )
                .optional()?,
        };
        if let Some((id, hash)) = earlier {
            if message.idempotency_key.is_some() && hash.as_deref() != Some(message.request_hash) {
                return Err(MessageError::KeyReused);
            }
            return Ok(Stored { id, replayed: true });
        }
        tx.execute(
            "INSERT INTO contact_messages (name, email, message, client, created_at,
                                           idempotency_key, request_hash, content_hash)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            params![
                message.name,
                message.email,
                message.message,
                message.client,
                now,
                message.idempotency_key,
                message.request_hash,
                message.content_hash
            ],
        )?;
        let id = tx.last_insert_rowid();
        if forward {
            let payload = serde_json::json!({
                "type": "contact",
                "id": id,
                "name": message.name,
                "email": message.email,
                "message": message.message,
                "created_at": now,
            });
            tx.execute(
                "INSERT INTO outbox (kind, payload, next_attempt_at, created_at)
                 VALUES ('contact', ?1, ?2, ?2)",
                params![payload.to_string(), now],
            )?;
        }
        tx.commit()?;
        Ok(Stored {
            id,
            replayed: false,
        })
    }

    /// Limits the database file to `pages` pages of this connection (SQLite's
    /// `PRAGMA max_page_count`, not persisted); returns the limit in force. Writes past
    /// it fail as [`StoreError::is_full`], as on a full disk: the fault-injection tests
    /// use it, and an operator can cap the file's growth.
    ///
    /// # Errors
    /// A database error.
    pub fn limit_pages(&self, pages: u64) -> Result<u64, StoreError> {
        let conn = self.conn();
        let limit: u64 =
            conn.query_row(&format!("PRAGMA max_page_count = {pages}"), [], |row| {
                row.get(0)
            })?;
        Ok(limit)
    }

    /// Pages the database file holds now (`PRAGMA page_count`).
    ///
    /// # Errors
    /// A database error.
    pub fn page_count(&self) -> Result<u64, StoreError> {
        let conn = self.conn();
        Ok(conn.query_row("PRAGMA page_count", [], |row| row.get(0))?)
    }

    /// Copies the write-ahead log into the database file and truncates it
    /// (`PRAGMA wal_checkpoint(TRUNCATE)`), as `atoll serve` does before it exits: the
    /// file alone then holds everything (a backup of it needs no `-wal` beside it).
    ///
    /// # Errors
    /// A database error.
    pub fn checkpoint(&self) -> Result<(), StoreError> {
        let conn = self.conn();
        conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))?;
        Ok(())
    }

    /// Claims up to `limit` outbox entries due at `at` (see [`super::Store::claim_outbox`]):
    /// their next attempt moves to `lease_until` in the same statement.
    ///
    /// # Errors
    /// A database error.
    pub fn claim_outbox(
        &self,
        at: DateTime<Utc>,
        limit: usize,
        lease_until: DateTime<Utc>,
    ) -> Result<Vec<OutboxItem>, StoreError> {
        let conn = self.conn();
        let mut statement = conn.prepare_cached(
            "UPDATE outbox SET next_attempt_at = ?3
             WHERE id IN (SELECT id FROM outbox
                          WHERE delivered_at IS NULL AND failed_at IS NULL
                            AND next_attempt_at <= ?1
                          ORDER BY next_attempt_at, id LIMIT ?2)
             RETURNING id, kind, payload, attempts",
        )?;
        let rows = statement.query_map(
            params![timestamp(at), limit as i64, timestamp(lease_until)],
            |row| {
                Ok(OutboxItem {
                    id: row.get(0)?,
                    kind: row.get(1)?,
                    payload: row.get(2)?,
                    attempts: row.get(3)?,
                })
            },
        )?;
        let mut items: Vec<OutboxItem> = rows.collect::<Result<_, _>>()?;
        // RETURNING's order is unspecified: oldest first, as they were queued.
        items.sort_by_key(|item| item.id);
        Ok(items)
    }

    /// See [`super::Store::reserve_webhook`].
    ///
    /// # Errors
    /// A database error.
    pub fn reserve_webhook(
        &self,
        id: &str,
        at: DateTime<Utc>,
        abandoned_before: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let mut conn = self.conn();
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        tx.execute(
            "DELETE FROM webhook_deliveries WHERE received_at < ?1",
            [timestamp(at - super::webhook_memory())],
        )?;
        let taken = tx.execute(
            "INSERT INTO webhook_deliveries (id, received_at) VALUES (?1, ?2)
             ON CONFLICT (id) DO UPDATE SET received_at = excluded.received_at
             WHERE done_at IS NULL AND received_at < ?3",
            params![id, timestamp(at), timestamp(abandoned_before)],
        )?;
        tx.commit()?;
        Ok(taken == 1)
    }

    /// See [`super::Store::finish_webhook`].
    ///
    /// # Errors
    /// A database error.
    pub fn finish_webhook(&self, id: &str, at: DateTime<Utc>) -> Result<(), StoreError> {
        self.conn().execute(
            "UPDATE webhook_deliveries SET done_at = ?2 WHERE id = ?1",
            params![id, timestamp(at)],
        )?;
        Ok(())
    }

    /// Forgets the webhook delivery `id` (its work failed; the sender's retry does it).
    ///
    /// # Errors
    /// A database error.
    pub fn release_webhook(&self, id: &str) -> Result<(), StoreError> {
        self.conn()
            .execute("DELETE FROM webhook_deliveries WHERE id = ?1", [id])?;
        Ok(())
    }

    /// Checks that the database answers (`SELECT 1`).
    ///
    /// # Errors
    /// A database error.
    pub fn ping(&self) -> Result<(), StoreError> {
        self.conn().query_row("SELECT 1", [], |_| Ok(()))?;
        Ok(())
    }

    /// See [`super::Store::release_outbox`].
    ///
    /// # Errors
    /// A database error.
    pub fn release_outbox(&self, ids: &[i64], at: DateTime<Utc>) -> Result<(), StoreError> {
        let mut conn = self.conn();
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        for id in ids {
            tx.execute(
                "UPDATE outbox SET next_attempt_at = ?2
                 WHERE id = ?1 AND delivered_at IS NULL AND failed_at IS NULL",
                params![id, timestamp(at)],
            )?;
        }
        tx.commit()?;
        Ok(())
    }

    /// Marks an outbox entry delivered.
    ///
    /// # Errors
    /// A database error.
    pub fn outbox_delivered(&self, id: i64) -> Result<(), StoreError> {
        self.conn().execute(
            "UPDATE outbox SET delivered_at = ?2, last_error = NULL WHERE id = ?1",
            params![id, now()],
        )?;
        Ok(())
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
        let conn = self.conn();
        match retry_at {
            Some(at) => conn.execute(
                "UPDATE outbox SET attempts = attempts + 1, last_error = ?2, next_attempt_at = ?3
                 WHERE id = ?1",
                params![id, error, timestamp(at)],
            )?,
            None => conn.execute(
                "UPDATE outbox SET attempts = attempts + 1, last_error = ?2, failed_at = ?3
                 WHERE id = ?1",
                params![id, error, now()],
            )?,
        };
        Ok(())
    }
}

/// Runs the migrations past the file's `user_version`, each in its own transaction.
fn migrate(conn: &mut Connection, path: &Path) -> Result<(), StoreError> {
    let version: i64 = conn.query_row("PRAGMA user_version", [], |row| row.get(0))?;
    let known = MIGRATIONS.len();
    if version > known as i64 {
        return Err(StoreError::TooNew {
            location: path.display().to_string(),
            found: version,
            known,
        });
    }
    for (i, sql) in MIGRATIONS.iter().enumerate().skip(version.max(0) as usize) {
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        // Another process may have migrated meanwhile (two servers starting at once):
        // the version read under the write lock decides.
        let current: i64 = tx.query_row("PRAGMA user_version", [], |row| row.get(0))?;
        if current > i as i64 {
            continue;
        }
        tx.execute_batch(sql)?;
        tx.pragma_update(None, "user_version", (i + 1) as i64)?;
        tx.commit()?;
        tracing::info!(version = i + 1, "database migrated");
    }
    Ok(())
}

fn read_order(conn: &Connection, id: i64) -> Result<Order, rusqlite::Error> {
    let (total, currency, created_at): (i64, String, String) = conn.query_row(
        "SELECT total_cents, currency, created_at FROM orders WHERE id = ?1",
        [id],
        |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)),
    )?;
    let mut statement = conn.prepare_cached(
        "SELECT product_id, name, url, unit_price_cents, quantity FROM order_lines
         WHERE order_id = ?1 ORDER BY position",
    )?;
    let lines = statement
        .query_map([id], |row| {
            Ok(super::order_line(
                row.get(0)?,
                row.get(1)?,
                row.get(2)?,
                row.get(3)?,
                row.get(4)?,
            ))
        })?
        .collect::<Result<Vec<_>, _>>()?;
    Ok(super::order(id, lines, total, currency, created_at))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn migrations_are_versioned_and_refuse_newer_files() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("nested/atoll.db");
        let store = Sqlite::open(&path).unwrap();
        drop(store);
        let conn = Connection::open(&path).unwrap();
        let version: i64 = conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .unwrap();
        assert_eq!(version, MIGRATIONS.len() as i64);
        let mode: String = conn
            .query_row("PRAGMA journal_mode", [], |r| r.get(0))
            .unwrap();
        assert_eq!(mode, "wal");
        // Reopening runs nothing again.
        drop(conn);
        Sqlite::open(&path).unwrap();
        let conn = Connection::open(&path).unwrap();
        conn.pragma_update(None, "user_version", 99).unwrap();
        drop(conn);
        let error = Sqlite::open(&path).unwrap_err();
        assert!(
            matches!(error, StoreError::TooNew { found: 99, .. }),
            "{error}"
        );
        assert!(error.to_string().contains("newer"), "{error}");
    }

    #[test]
    fn not_a_database_is_an_open_error() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("garbage.db");
        std::fs::write(&path, vec![b'x'; 4096]).unwrap();
        let error = Sqlite::open(&path).unwrap_err();
        assert!(error.to_string().contains("garbage.db"), "{error}");
    }
}
