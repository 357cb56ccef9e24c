//! A real Strapi 5 (`tests/strapi`: the article type from a schema file, on a real
//! PostgreSQL, its webhook to Atoll made at its start as Settings → Webhooks would):
//! articles written through its REST API, `atoll export --cms-config` and `atoll serve`
//! against it, and Strapi's own webhook revalidating the page after an edit.

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{json, Value};

use crate::cluster::{free_port, required, Atoll, Pg};
use crate::common::root;

/// A `strapi start` process; killed when dropped.
struct Strapi {
    child: Child,
    base: String,
    token: String,
}

impl Drop for Strapi {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn strapi_dir() -> PathBuf {
    root().join("tests/strapi")
}

impl Strapi {
    fn start(pg: &Pg, database: &str, webhook_url: &str, secret: &str) -> Strapi {
        let port = free_port();
        let token_file = tempfile::NamedTempFile::new().unwrap().into_temp_path();
        let log =
            std::fs::File::create(std::env::temp_dir().join(format!("atoll-strapi-{port}.log")))
                .unwrap();
        let child = Command::new("node")
            .arg("node_modules/@strapi/strapi/bin/strapi.js")
            .arg("start")
            .current_dir(strapi_dir())
            .env("NODE_ENV", "production")
            .env("HOST", "127.0.0.1")
            .env("PORT", port.to_string())
            .env("DATABASE_PORT", pg.port.to_string())
            .env("DATABASE_NAME", database)
            .env("ATOLL_TOKEN_FILE", &token_file)
            .env("ATOLL_WEBHOOK_URL", webhook_url)
            .env("ATOLL_WEBHOOK_SECRET", secret)
            .env("STRAPI_TELEMETRY_DISABLED", "true")
            .env("STRAPI_DISABLE_UPDATE_NOTIFICATION", "true")
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .expect("node runs Strapi");
        let base = format!("http://127.0.0.1:{port}");
        let until = Instant::now() + Duration::from_secs(120);
        loop {
            let healthy = std::process::Command::new("curl")
                .args([
                    "-s",
                    "-o",
                    "/dev/null",
                    "-w",
                    "%{http_code}",
                    &format!("{base}/_health"),
                ])
                .output()
                .map(|o| o.stdout == b"204")
                .unwrap_or(false);
            if healthy {
                break;
            }
            assert!(
                Instant::now() < until,
                "Strapi did not start (its log: $TMPDIR/atoll-strapi-{port}.log)"
            );
            std::thread::sleep(Duration::from_millis(250));
        }
        let token = std::fs::read_to_string(&token_file).expect("Strapi wrote its API token");
        Strapi { child, base, token }
    }
}

#[test]
fn a_real_strapi_feeds_export_and_serve_and_its_webhook_revalidates() {
    if !strapi_dir().join("node_modules/@strapi/strapi").exists() {
        assert!(
            !required(),
            "tests/strapi/node_modules is missing (npm ci there)"
        );
        eprintln!("skipped: tests/strapi/node_modules is missing (npm ci there)");
        return;
    }
    let Some(pg) = Pg::start() else { return };
    let _ = pg.create_db("strapi");
    let secret = "strapi-webhook-shared-secret";
    let atoll_port = free_port();
    let strapi = Strapi::start(
        &pg,
        "strapi",
        &format!("http://127.0.0.1:{atoll_port}/api/webhooks/strapi"),
        secret,
    );
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let client = reqwest::Client::new();
    let api = |path: &str| format!("{}/api/{path}", strapi.base);
    // Three articles through Strapi's REST API (published: Strapi 5's default).
    let mut ids = Vec::new();
    for (i, slug) in ["reef-notes", "lagoon-log", "tide-tables"]
        .iter()
        .enumerate()
    {
        let body = json!({"data": {
            "title": format!("Strapi article {i}"), "slug": slug, "description": "Written in Strapi",
            "readingTime": 3 + i,
            "content": [
                {"type": "heading", "level": 2, "children": [{"type": "text", "text": "From the CMS"}]},
                {"type": "paragraph", "children": [{"type": "text", "text": "Hello "}, {"type": "text", "text": "reef", "bold": true}]}
            ]
        }});
        let created: Value = runtime.block_on(async {
            let response = client
                .post(api("articles"))
                .bearer_auth(&strapi.token)
                .json(&body)
                .send()
                .await
                .unwrap();
            assert!(response.status().is_success(), "{}", response.status());
            response.json().await.unwrap()
        });
        ids.push(created["data"]["documentId"].as_str().unwrap().to_owned());
    }

    // A site whose posts all come from Strapi.
    let site = super::cms_only_site();
    let settings = site.dir.path().join("cms.toml");
    std::fs::write(
        &settings,
        format!(
            "kind = \"strapi\"\nurl = \"{}\"\ntoken_env = \"ATOLL_TEST_STRAPI_TOKEN\"\n",
            strapi.base
        ),
    )
    .unwrap();
    // The export: every article a page, its Blocks rendered.
    let out = site.dir.path().join("dist");
    let export = Command::new(env!("CARGO_BIN_EXE_atoll"))
        .arg("export")
        .arg("--content")
        .arg(site.content())
        .arg("--public")
        .arg(root().join("public"))
        .arg("--islands")
        .arg(site.dir.path().join("islands"))
        .arg("--cms-config")
        .arg(&settings)
        .arg("--out")
        .arg(&out)
        .args(["--no-search-index"])
        .env("ATOLL_TEST_STRAPI_TOKEN", &strapi.token)
        .output()
        .unwrap();
    assert!(
        export.status.success(),
        "{}",
        String::from_utf8_lossy(&export.stderr)
    );
    let page = std::fs::read_to_string(out.join("posts/lagoon-log/index.html")).unwrap();
    assert!(page.contains("Strapi article 1"), "{page}");
    assert!(
        page.contains("<h2") && page.contains("<strong>reef</strong>"),
        "{page}"
    );

    // The server, then an edit in Strapi: Strapi's webhook makes Atoll render it again.
    let db = site.dir.path().join("atoll.db");
    let atoll = Atoll::start_with(
        &site,
        db.to_str().unwrap(),
        &format!("127.0.0.1:{atoll_port}"),
        &["--cms-config", settings.to_str().unwrap()],
        &[
            ("ATOLL_TEST_STRAPI_TOKEN", strapi.token.as_str()),
            ("ATOLL_CMS_WEBHOOK_SECRET", secret),
        ],
    );
    let page_url = format!("{}/posts/reef-notes/", atoll.base());
    runtime.block_on(async {
        let before = client
            .get(&page_url)
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(before.contains("Strapi article 0"), "{before}");
        let response = client
            .put(api(&format!("articles/{}", ids[0])))
            .bearer_auth(&strapi.token)
            .json(&json!({"data": {"title": "Renamed in Strapi"}}))
            .send()
            .await
            .unwrap();
        assert!(response.status().is_success(), "{}", response.status());
        let edited = Instant::now();
        loop {
            let page = client
                .get(&page_url)
                .send()
                .await
                .unwrap()
                .text()
                .await
                .unwrap();
            if page.contains("Renamed in Strapi") {
                eprintln!(
                    "Strapi edit → new page on Atoll after {} ms",
                    edited.elapsed().as_millis()
                );
                break;
            }
            assert!(
                edited.elapsed() < Duration::from_secs(20),
                "Strapi's webhook did not revalidate the page"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    });
}
