//! `atoll revalidate`: sends a signed on-demand revalidation to a running server.

use anyhow::{bail, Context};

/// Arguments of `atoll revalidate`.
#[derive(Debug, clap::Args)]
pub struct RevalidateArgs {
    /// Paths to render again, e.g. `/posts/hello/`.
    #[arg(value_name = "PATH")]
    paths: Vec<String>,
    /// Cache tags to render again (`post:<slug>`, `posts`, `all`, …); repeatable.
    #[arg(long = "tag", value_name = "TAG")]
    tags: Vec<String>,
    /// The server's base URL.
    #[arg(long, value_name = "URL", default_value = "http://127.0.0.1:3000")]
    url: reqwest::Url,
    /// The Standard Webhooks secret (`whsec_…`).
    #[arg(
        long,
        value_name = "SECRET",
        env = "ATOLL_WEBHOOK_SECRET",
        hide_env_values = true
    )]
    secret: String,
}

pub fn run(args: RevalidateArgs) -> anyhow::Result<()> {
    if args.paths.is_empty() && args.tags.is_empty() {
        bail!("name at least one path or --tag");
    }
    let keys = atoll::webhook::decode_secrets(&args.secret)?;
    let key = keys.first().context("ATOLL_WEBHOOK_SECRET is empty")?;
    let body = serde_json::to_vec(&serde_json::json!({"paths": args.paths, "tags": args.tags}))?;
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)?
        .as_secs();
    let id = format!("atoll-cli-{now}-{}", std::process::id());
    let url = args.url.join("api/revalidate")?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let (status, text) = runtime.block_on(async {
        let mut request = reqwest::Client::new()
            .post(url.clone())
            .header("content-type", "application/json");
        for (name, value) in atoll::signed_headers(key, &id, now, &body) {
            request = request.header(name, value);
        }
        let response = request
            .body(body)
            .send()
            .await
            .with_context(|| format!("POST {url}"))?;
        let status = response.status();
        anyhow::Ok((status, response.text().await.unwrap_or_default()))
    })?;
    println!("{text}");
    if !status.is_success() {
        bail!("POST {url}: {status}");
    }
    Ok(())
}
