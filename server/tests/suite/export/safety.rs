//! A failed or refused export leaves the previous output intact, and says why in one line.

use super::*;

#[test]
fn malformed_front_matter_fails_and_keeps_previous_output() {
    let tmp = TempDir::new().unwrap();
    let islands = islands_dir(tmp.path());
    let out = tmp.path().join("dist");
    let content = tmp.path().join("content");
    copy_dir(&fixtures().join("basic"), &content);
    let first = export(&content, &out, &islands);
    assert!(first.status.success(), "{}", stderr(&first));
    let before = snapshot(&out);

    std::fs::write(
        content.join("posts/broken.md"),
        "---\ntitle: Broken\ndate: 2025-02-30\n---\nBody\n",
    )
    .unwrap();
    let failed = export(&content, &out, &islands);
    assert!(!failed.status.success());
    let message = stderr(&failed);
    assert!(
        message
            .contains("posts/broken.md:3:7: invalid front matter: date: invalid date `2025-02-30`"),
        "{message}"
    );
    assert!(
        message.contains("previous output is unchanged")
            || message.contains("cannot load the site"),
        "{message}"
    );
    assert_eq!(snapshot(&out), before, "the previous output changed");
    assert_no_staging_leftovers(tmp.path());
}

#[test]
fn second_export_replaces_the_first_and_leaves_nothing_behind() {
    let tmp = TempDir::new().unwrap();
    let islands = islands_dir(tmp.path());
    let out = tmp.path().join("dist");
    let content = tmp.path().join("content");
    copy_dir(&fixtures().join("basic"), &content);
    assert!(export(&content, &out, &islands).status.success());
    assert!(out.join("posts/no-front-matter/index.html").is_file());

    std::fs::remove_file(content.join("posts/no-front-matter.md")).unwrap();
    std::fs::write(content.join("posts/third.md"), "# Third\n\nNew post.\n").unwrap();
    let again = export(&content, &out, &islands);
    assert!(again.status.success(), "{}", stderr(&again));
    assert!(out.join("posts/third/index.html").is_file());
    assert!(
        !out.join("posts/no-front-matter").exists(),
        "the old output was replaced, not merged"
    );
    assert!(out.join(".atoll-export").is_file());
    assert_no_staging_leftovers(tmp.path());
}

#[test]
fn missing_bundle_fails_before_touching_output() {
    let tmp = TempDir::new().unwrap();
    let out = tmp.path().join("dist");
    let output = export(
        &fixtures().join("basic"),
        &out,
        &tmp.path().join("no-bundle"),
    );
    assert!(!output.status.success());
    assert!(
        stderr(&output).contains("islands bundle not found"),
        "{}",
        stderr(&output)
    );
    assert!(!out.exists());
}

#[test]
fn refuses_unsafe_outputs() {
    let tmp = TempDir::new().unwrap();
    let islands = islands_dir(tmp.path());
    let content = tmp.path().join("content");
    copy_dir(&fixtures().join("basic"), &content);

    let inside = export(&content, &content.join("dist"), &islands);
    assert!(!inside.status.success());
    assert!(
        stderr(&inside).contains("inside the content folder"),
        "{}",
        stderr(&inside)
    );

    let parent = export(&content, tmp.path(), &islands);
    assert!(!parent.status.success());
    assert!(
        stderr(&parent).contains("contains the content folder"),
        "{}",
        stderr(&parent)
    );

    let foreign = tmp.path().join("documents");
    std::fs::create_dir(&foreign).unwrap();
    std::fs::write(foreign.join("thesis.txt"), "irreplaceable").unwrap();
    let refused = export(&content, &foreign, &islands);
    assert!(!refused.status.success());
    assert!(
        stderr(&refused).contains("was not written by `atoll export`"),
        "{}",
        stderr(&refused)
    );
    assert_eq!(
        std::fs::read_to_string(foreign.join("thesis.txt")).unwrap(),
        "irreplaceable"
    );
}

#[test]
fn cli_errors_are_one_line() {
    let unknown = atoll(&["export", "--no-such-flag"]);
    assert_eq!(unknown.status.code(), Some(2));
    let message = stderr(&unknown);
    assert_eq!(message.trim().lines().count(), 1, "{message}");
    assert!(message.contains("--no-such-flag"), "{message}");

    let missing = atoll(&[
        "export",
        "--content",
        "/no/such/folder",
        "--out",
        "/tmp/never",
    ]);
    assert_eq!(missing.status.code(), Some(1));
    let message = stderr(&missing);
    assert_eq!(message.trim().lines().count(), 1, "{message}");
    assert!(
        message.contains("content folder `/no/such/folder` not found"),
        "{message}"
    );
    assert!(!message.contains("panicked"));
}
