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
    assert!(out.join(".atoll-search").is_file());
    let second = export_with(&content, &public(), &out, &islands, &["--no-search-index"]);
    assert!(second.status.success(), "{}", stderr(&second));
    assert!(!out.join("search/index.json").exists());
    assert!(!out.join(".atoll-search").exists(), "nor its state");
    assert!(!out.join("search/docs").exists() || walkdir(&out.join("search/docs")).is_empty());
    assert!(
        out.join("search/index.html").is_file(),
        "the search page stays"
    );
}

#[test]
fn incremental_search_index_is_patched_or_rebuilt_to_equal_a_full_export() {
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
    assert!(
        out.join(".atoll-search").is_file(),
        "the index state is kept"
    );
    let index = |dir: &Path| -> BTreeMap<PathBuf, Vec<u8>> {
        walkdir(&dir.join("search"))
            .into_iter()
            .filter(|p| p.extension().is_some_and(|e| e == "json"))
            .chain([dir.join(".atoll-search")])
            .map(|p| {
                (
                    p.strip_prefix(dir).unwrap().to_owned(),
                    std::fs::read(&p).unwrap(),
                )
            })
            .collect()
    };
    let post = content.join("posts/no-front-matter.md");
    let text = std::fs::read_to_string(&post).unwrap();
    // 1. One word of the oldest post replaced by another: the collection's average
    //    lengths stay, so the index is patched in place. 2. A sentence appended.
    let edits = [
        (text.replace("the heading", "the zebra"), true),
        (
            format!("{text}\nA brand new zebra sentence, with quite a few more words in it.\n"),
            false,
        ),
    ];
    for (round, (edited, patched)) in edits.into_iter().enumerate() {
        std::fs::write(&post, edited).unwrap();
        let again = export(&content, &out, &islands);
        assert!(again.status.success(), "{}", stderr(&again));
        let log = stderr(&again);
        if patched {
            assert!(
                log.contains("search index: patched (1 of 3 documents changed)"),
                "{log}"
            );
        } else {
            assert!(
                log.contains("search index: rebuilt (the average field lengths changed)"),
                "{log}"
            );
        }
        // The same index as a full export of the same content.
        let fresh = tmp.path().join(format!("fresh-{round}"));
        let full = export(&content, &fresh, &islands);
        assert!(full.status.success(), "{}", stderr(&full));
        let (incremental, complete) = (index(&out), index(&fresh));
        assert_eq!(
            incremental.keys().collect::<Vec<_>>(),
            complete.keys().collect::<Vec<_>>()
        );
        assert!(
            incremental == complete,
            "index files differ (round {round})"
        );
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
    // Nothing changed: everything kept, nothing rebuilt.
    let same = export(&content, &out, &islands);
    assert!(same.status.success(), "{}", stderr(&same));
    assert!(
        !stderr(&same).contains("search index:"),
        "{}",
        stderr(&same)
    );
    // The table of shards deleted by hand, nothing else changed: it comes back.
    std::fs::remove_file(out.join("search/index.json")).unwrap();
    let back = export(&content, &out, &islands);
    assert!(back.status.success(), "{}", stderr(&back));
    assert!(out.join("search/index.json").is_file());
    // A shard deleted by hand: the index is rebuilt, the file comes back.
    let shard = walkdir(&out.join("search/shards"))
        .into_iter()
        .find(|p| p.extension().is_some_and(|e| e == "json"))
        .unwrap();
    std::fs::remove_file(&shard).unwrap();
    let restored = export(&content, &out, &islands);
    assert!(restored.status.success(), "{}", stderr(&restored));
    assert!(
        stderr(&restored).contains("search index: rebuilt (no usable state of the previous index)"),
        "{}",
        stderr(&restored)
    );
    assert!(shard.is_file());
}
