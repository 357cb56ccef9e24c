//! The sharded static search index: written, left out, and reused incrementally.

use super::*;

#[test]
fn export_writes_a_sharded_search_index() {
    let tmp = TempDir::new().unwrap();
    let out = tmp.path().join("dist");
    let output = export(&fixtures().join("basic"), &out, &islands_dir(tmp.path()));
    assert!(output.status.success(), "{}", stderr(&output));
    let meta: atoll_search::StaticMeta =
        serde_json::from_slice(&std::fs::read(out.join("search/index.json")).unwrap()).unwrap();
    assert_eq!(meta.version, atoll_search::STATIC_VERSION);
    let posts = walkdir(&out.join("posts"))
        .into_iter()
        .filter(|p| p.ends_with("index.html") && !p.to_string_lossy().contains("/page/"))
        .filter(|p| p.parent().unwrap() != out.join("posts"))
        .count();
    assert_eq!(meta.docs as usize, posts);
    let mut terms = 0;
    for (key, hash) in &meta.shards {
        let file = out.join("search").join(atoll_search::shard_file(key, hash));
        let shard: atoll_search::Shard =
            serde_json::from_slice(&std::fs::read(&file).unwrap()).unwrap();
        assert!(
            shard.terms.iter().all(|t| t.starts_with(key.as_str())),
            "{key}"
        );
        terms += shard.terms.len();
    }
    assert!(terms > 20, "{terms} terms");
    for n in 0..meta.docs {
        let doc: atoll_search::Document = serde_json::from_slice(
            &std::fs::read(out.join(format!("search/docs/{n}.json"))).unwrap(),
        )
        .unwrap();
        assert!(
            doc.url.starts_with("/posts/") && !doc.body.is_empty(),
            "{doc:?}"
        );
    }
    let headers = std::fs::read_to_string(out.join("_headers")).unwrap();
    assert!(
        headers.contains("/search/shards/*\n  ! Cache-Control\n  Cache-Control: public, max-age=31536000, immutable"),
        "{headers}"
    );
}

#[test]
fn no_search_index_writes_none_and_removes_a_previous_one() {
    let tmp = TempDir::new().unwrap();
    let out = tmp.path().join("dist");
    let islands = islands_dir(tmp.path());
    let content = fixtures().join("basic");
    let first = export(&content, &out, &islands);
    assert!(first.status.success(), "{}", stderr(&first));
    assert!(out.join("search/index.json").is_file());
    let second = export_with(&content, &public(), &out, &islands, &["--no-search-index"]);
    assert!(second.status.success(), "{}", stderr(&second));
    assert!(!out.join("search/index.json").exists());
    assert!(!out.join("search/docs").exists() || walkdir(&out.join("search/docs")).is_empty());
    assert!(
        out.join("search/index.html").is_file(),
        "the search page stays"
    );
}

#[test]
fn incremental_search_index_reuses_unchanged_documents_exactly() {
    // One post in the feed: the bodies of the others are not parsed by an incremental
    // export, so their index documents come from the previous export.
    let tmp = TempDir::new().unwrap();
    let content = tmp.path().join("content");
    copy_dir(&fixtures().join("basic"), &content);
    let config = std::fs::read_to_string(content.join("site.toml")).unwrap();
    std::fs::write(
        content.join("site.toml"),
        format!("{config}feed_limit = 1\n"),
    )
    .unwrap();
    let islands = islands_dir(tmp.path());
    let out = tmp.path().join("dist");
    let first = export(&content, &out, &islands);
    assert!(first.status.success(), "{}", stderr(&first));
    // Change the body of the oldest post only.
    let post = content.join("posts/no-front-matter.md");
    let text = std::fs::read_to_string(&post).unwrap();
    std::fs::write(&post, format!("{text}\nA brand new zebra sentence.\n")).unwrap();
    let second = export(&content, &out, &islands);
    assert!(second.status.success(), "{}", stderr(&second));
    // The same index as a full export of the same content.
    let fresh = tmp.path().join("fresh");
    let full = export(&content, &fresh, &islands);
    assert!(full.status.success(), "{}", stderr(&full));
    let index = |dir: &Path| -> BTreeMap<PathBuf, Vec<u8>> {
        walkdir(&dir.join("search"))
            .into_iter()
            .filter(|p| p.extension().is_some_and(|e| e == "json"))
            .map(|p| {
                (
                    p.strip_prefix(dir).unwrap().to_owned(),
                    std::fs::read(&p).unwrap(),
                )
            })
            .collect()
    };
    let (incremental, complete) = (index(&out), index(&fresh));
    assert_eq!(
        incremental.keys().collect::<Vec<_>>(),
        complete.keys().collect::<Vec<_>>()
    );
    assert!(incremental == complete, "index files differ");
    let all: String = complete
        .values()
        .map(|bytes| String::from_utf8_lossy(bytes).into_owned())
        .collect();
    assert!(all.contains("zebra"), "the edit is indexed");
    assert!(
        all.contains("\"body\":\"") && !all.contains("\"body\":\"\""),
        "no empty bodies"
    );
}
