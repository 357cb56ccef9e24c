//! A Zola or Hugo site root used as the content folder, as it is: `atoll export
//! --content my-zola-site` reads `config.toml` (Zola) or `hugo.toml`/`hugo.yaml`/
//! `config.toml`/`config.yaml` (Hugo) for the settings Atoll understands, the entries
//! under `content/`, and (in the binary) `static/` as the public folder. Templates
//! (Tera, Go) are not used: Atoll's pages render everything.
//!
//! Sections become Atoll's kinds by their shape ([`sections`]): the top-level section
//! whose entries are dated is the blog (posts, at `/<section>/<slug>/` as Zola and Hugo
//! put them), the one with nested sections is the docs tree (at `/<section>/…/`), and
//! the Markdown files at the root of `content/` and in every other section are
//! standalone pages at their Zola/Hugo URL.

use std::path::{Path, PathBuf};

pub use app::Flavor;
use app::{Sections, SiteConfig};
use serde_json::Value;

use crate::error::{ContentError, ContentWarning};

/// A Zola or Hugo site root.
#[derive(Clone, Debug)]
pub struct SiteRoot {
    /// [`Flavor::Zola`] or [`Flavor::Hugo`].
    pub flavor: Flavor,
    /// Its configuration file.
    pub config: PathBuf,
    /// Its `content/` folder: where the entries are.
    pub content: PathBuf,
    /// Its `static/` folder: the public files.
    pub statics: PathBuf,
}

/// `dir` as a Zola or Hugo site root: a `content/` folder beside a configuration file
/// (`dir` may also be that `content/` folder itself). `None` for Atoll's own layout
/// (`site.toml`, `posts/`, …).
pub fn detect(dir: &Path) -> Option<SiteRoot> {
    let root = if dir.file_name().is_some_and(|n| n == "content")
        && dir.join("site.toml").symlink_metadata().is_err()
    {
        dir.parent()?
    } else {
        dir
    };
    if root.join("site.toml").exists() || !root.join("content").is_dir() {
        return None;
    }
    let hugo_only = ["hugo.toml", "hugo.yaml", "hugo.yml", "hugo.json"];
    // Hugo's configuration directory: `config/_default/hugo.toml` (or `config.toml`),
    // beside `params.toml`, `menus.toml`, … (read with it, see `settings`).
    let default_dir = root.join("config").join("_default");
    let in_default_dir = hugo_only
        .iter()
        .chain(&["config.toml", "config.yaml", "config.yml", "config.json"])
        .map(|f| default_dir.join(f))
        .find(|p| p.is_file());
    let (config, flavor) =
        if let Some(file) = hugo_only.iter().map(|f| root.join(f)).find(|p| p.is_file()) {
            (file, Flavor::Hugo)
        } else if let Some(file) = in_default_dir {
            (file, Flavor::Hugo)
        } else if root.join("config.toml").is_file() {
            let file = root.join("config.toml");
            let text = std::fs::read_to_string(&file).unwrap_or_default();
            // Hugo spells it `baseURL` (keys are case-insensitive there); Zola `base_url`.
            // A `config.toml` with neither is not a site's (an Atoll folder's parent may
            // have one of its own).
            let key = |name: &str| {
                text.lines()
                    .any(|line| line.trim_start().to_ascii_lowercase().starts_with(name))
            };
            let flavor = if key("baseurl") {
                Flavor::Hugo
            } else if key("base_url") {
                Flavor::Zola
            } else {
                return None;
            };
            (file, flavor)
        } else {
            let yaml = ["config.yaml", "config.yml"]
                .iter()
                .map(|f| root.join(f))
                .find(|p| p.is_file())?;
            let text = std::fs::read_to_string(&yaml).unwrap_or_default();
            let hugo = text.lines().any(|line| {
                line.trim_start()
                    .to_ascii_lowercase()
                    .starts_with("baseurl")
            });
            if !hugo {
                return None;
            }
            (yaml, Flavor::Hugo)
        };
    Some(SiteRoot {
        flavor,
        config,
        content: root.join("content"),
        statics: root.join("static"),
    })
}

/// The content folder to read for `dir`: `dir/content` for a site root, else `dir`.
pub fn content_dir(dir: &Path) -> PathBuf {
    detect(dir).map_or_else(|| dir.to_owned(), |root| root.content)
}

/// The settings Atoll understands from the root's configuration file, with one warning
/// per setting it does not read.
///
/// Zola: `title`, `description`, `base_url`, `default_language`, `author`,
/// `generate_feeds`, `feed_filenames` (the feed is `/atom.xml`; other names redirect
/// there), `[markdown] insert_anchor_links` (code is always highlighted),
/// `[link_checker] internal_level`.
/// Hugo (keys case-insensitive): `title`, `baseURL`, `languageCode`,
/// `params.description`, `params.author`/`author`. A site root checks links at the
/// `warn` level unless Zola's `internal_level = "error"` says otherwise.
///
/// # Errors
/// The file cannot be read or parsed (file, line and column when the parser gives
/// them).
pub fn settings(root: &SiteRoot) -> Result<(SiteConfig, Vec<ContentWarning>), ContentError> {
    let path = &root.config;
    let (text, value) = read_settings_file(path)?;
    let mut map = value.as_object().cloned().unwrap_or_default();
    // Hugo's `config/_default/`: each other file is the setting named by its stem
    // (`params.toml` is `[params]`, `menus.toml` is `[menus]`), as Hugo merges them.
    if path
        .parent()
        .is_some_and(|p| p.ends_with("config/_default"))
    {
        let mut others: Vec<PathBuf> = std::fs::read_dir(path.parent().unwrap_or(path))
            .into_iter()
            .flatten()
            .flatten()
            .map(|e| e.path())
            .filter(|p| p != path && p.is_file())
            .filter(|p| {
                p.extension()
                    .is_some_and(|x| matches!(x.to_str(), Some("toml" | "yaml" | "yml" | "json")))
            })
            .collect();
        others.sort();
        for other in others {
            let key = other
                .file_stem()
                .map(|s| s.to_string_lossy().into_owned())
                .unwrap_or_default();
            let (_, value) = read_settings_file(&other)?;
            // Merged into the main file's table of the same name, which wins.
            match (map.get_mut(&key), value) {
                (Some(Value::Object(have)), Value::Object(more)) => {
                    for (k, v) in more {
                        have.entry(k).or_insert(v);
                    }
                }
                (None, value) => {
                    map.insert(key, value);
                }
                _ => {}
            }
        }
    }
    let mut config = SiteConfig {
        // Zola and Hugo do not check plain links: named, not fatal.
        link_check: app::LinkCheck::Warn,
        flavor: root.flavor,
        // Zola's default is none (tags come from `taxonomies.tags` only when declared,
        // but Atoll always builds tags); Hugo's is tags and categories.
        taxonomies: match root.flavor {
            Flavor::Hugo => ["tags", "categories"].map(hugo_taxonomy).to_vec(),
            _ => SiteConfig::default().taxonomies,
        },
        ..SiteConfig::default()
    };
    let mut warnings = Vec::new();
    let text_of = |value: &Value| value.as_str().map(str::to_owned);
    let name = path
        .file_name()
        .map_or_else(String::new, |n| n.to_string_lossy().into_owned());
    for (key, value) in &map {
        let read = match (root.flavor, key.to_ascii_lowercase().as_str()) {
            (_, "title") => text_of(value).map(|v| config.title = v).is_some(),
            (Flavor::Zola, "description") => {
                text_of(value).map(|v| config.description = v).is_some()
            }
            (Flavor::Zola, "base_url") | (Flavor::Hugo, "baseurl") => text_of(value)
                .map(|v| config.base_url = v.trim_end_matches('/').to_owned())
                .is_some(),
            (Flavor::Zola, "default_language") | (Flavor::Hugo, "languagecode") => {
                text_of(value).map(|v| config.language = v).is_some()
            }
            (_, "author") => text_of(value).map(|v| config.author = Some(v)).is_some(),
            (Flavor::Hugo, "params") => {
                let params = value.as_object();
                let get = |k: &str| {
                    params
                        .and_then(|p| p.iter().find(|(key, _)| key.eq_ignore_ascii_case(k)))
                        .and_then(|(_, v)| v.as_str())
                        .map(str::to_owned)
                };
                if let Some(description) = get("description") {
                    config.description = description;
                }
                if let Some(author) = get("author") {
                    config.author = Some(author);
                }
                // All of `params` is kept for the site's page components.
                config.extra = app::Extra {
                    fields: params.cloned().unwrap_or_default(),
                    source: name.clone(),
                };
                true
            }
            (Flavor::Hugo, "menu" | "menus") => {
                // `[[menus.main]] name = "About" url = "/about/" weight = 2` (or
                // `pageRef`): the layout's menu. Other menus are the theme's.
                let main = value
                    .as_object()
                    .and_then(|m| m.iter().find(|(k, _)| k.eq_ignore_ascii_case("main")))
                    .and_then(|(_, v)| v.as_array());
                for item in main.into_iter().flatten() {
                    let get = |key: &str| {
                        item.as_object()?
                            .iter()
                            .find(|(k, _)| k.eq_ignore_ascii_case(key))
                            .map(|(_, v)| v)
                    };
                    let name = get("name").and_then(Value::as_str);
                    // `url` as written; `pageRef` is a content path (`/about`,
                    // `posts/x.md`), taken as that path's URL (an entry's own `url`,
                    // `slug` or `[permalinks]` pattern is not looked up).
                    let url = get("url")
                        .and_then(Value::as_str)
                        .map(str::to_owned)
                        .or_else(|| {
                            let page = get("pageRef")?.as_str()?.trim_matches('/');
                            let page = page.strip_suffix(".md").unwrap_or(page);
                            let page = page
                                .strip_suffix("/_index")
                                .or_else(|| page.strip_suffix("/index"))
                                .unwrap_or(page);
                            Some(if page.is_empty() || page == "_index" {
                                "/".to_owned()
                            } else {
                                format!("/{page}/")
                            })
                        });
                    match (name, url) {
                        (Some(name), Some(url)) => config.menu.push(app::MenuItem {
                            name: name.to_owned(),
                            url: if url.starts_with('/') || url.contains("://") {
                                url
                            } else {
                                format!("/{url}")
                            },
                            weight: get("weight").and_then(Value::as_i64).unwrap_or(0),
                        }),
                        _ => warnings.push(ContentWarning {
                            path: path.clone(),
                            line: line_of(&text, key),
                            message: format!(
                                "a `{key}.main` entry without `name` and `url`/`pageRef` is skipped"
                            ),
                        }),
                    }
                }
                // Hugo's order: by weight, entries without one (0) last, then by name.
                config.menu.sort_by(|a, b| {
                    (a.weight == 0, a.weight, &a.name).cmp(&(b.weight == 0, b.weight, &b.name))
                });
                true
            }
            (Flavor::Hugo, "permalinks") => {
                // `post = "/:year/:month/:slug/"`; Hugo 0.112's `[permalinks.page]`
                // form too (the sections' patterns for pages).
                let table = value.get("page").filter(|v| v.is_object()).unwrap_or(value);
                for (section, pattern) in table.as_object().into_iter().flatten() {
                    if let Some(pattern) = pattern.as_str() {
                        config
                            .permalinks
                            .insert(section.clone(), pattern.to_owned());
                    }
                }
                true
            }
            (Flavor::Zola, "extra") => {
                config.extra = app::Extra {
                    fields: value.as_object().cloned().unwrap_or_default(),
                    source: name.clone(),
                };
                true
            }
            (Flavor::Zola, "taxonomies") => {
                // `[{ name = "categories", feed = true, paginate_by = 5 }, …]`.
                config.taxonomies = value
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter_map(|t| {
                        let mut taxonomy = app::Taxonomy::named(t.get("name")?.as_str()?);
                        taxonomy.feed = t.get("feed").and_then(Value::as_bool).unwrap_or(false);
                        taxonomy.paginate_by = t
                            .get("paginate_by")
                            .and_then(Value::as_u64)
                            .filter(|n| *n > 0)
                            .map(|n| n as usize);
                        Some(taxonomy)
                    })
                    .collect();
                true
            }
            (Flavor::Hugo, "taxonomies") => {
                // `[taxonomies] category = "categories"`: the plural is the name.
                config.taxonomies = value
                    .as_object()
                    .into_iter()
                    .flatten()
                    .filter_map(|(_, plural)| plural.as_str())
                    .map(hugo_taxonomy)
                    .collect();
                true
            }
            (Flavor::Zola, "link_checker") => {
                let level = value.get("internal_level").and_then(Value::as_str);
                if level == Some("error") {
                    config.link_check = app::LinkCheck::Error;
                }
                true
            }
            // `[markdown] insert_anchor_links` (Zola 0.20: the site's default for every
            // section); Atoll always highlights code.
            (Flavor::Zola, "markdown") => {
                if let Some(anchors) = value
                    .get("insert_anchor_links")
                    .and_then(|v| serde_json::from_value::<app::AnchorLinks>(v.clone()).ok())
                {
                    config.insert_anchor_links = anchors;
                }
                true
            }
            // Atoll always writes `atom.xml`.
            (Flavor::Zola, "generate_feeds" | "generate_feed") => true,
            (Flavor::Zola, "feed_filenames" | "feed_filename") => {
                let names: Vec<&str> = match value {
                    Value::Array(list) => list.iter().filter_map(Value::as_str).collect(),
                    Value::String(one) => vec![one.as_str()],
                    _ => Vec::new(),
                };
                // The feed is `/atom.xml`; the other names redirect there.
                for name in names {
                    let path = format!("/{}", name.trim_start_matches('/'));
                    if path != "/atom.xml" && !config.feed_aliases.contains(&path) {
                        config.feed_aliases.push(path);
                    }
                }
                true
            }
            _ => false,
        };
        if !read {
            warnings.push(ContentWarning {
                path: path.clone(),
                line: line_of(&text, key),
                message: format!("setting `{key}` of {name} is not read by Atoll"),
            });
        }
    }
    if config.title.is_empty() {
        config.title = SiteConfig::default().title;
    }
    Ok((config, warnings))
}

/// The text and the parsed value of a settings file (TOML, YAML or JSON by extension).
fn read_settings_file(path: &Path) -> Result<(String, Value), ContentError> {
    let text = std::fs::read_to_string(path).map_err(|source| ContentError::Io {
        path: path.to_owned(),
        source,
    })?;
    let syntax = |line: usize, column: usize, message: String| ContentError::SiteConfig {
        path: path.to_owned(),
        line,
        column,
        message,
    };
    let value: Value = match path.extension().and_then(|e| e.to_str()) {
        Some("yaml" | "yml") => serde_yaml_ng::from_str(&text).map_err(|err| {
            let (line, column) = err.location().map_or((1, 1), |l| (l.line(), l.column()));
            syntax(line, column, err.to_string())
        })?,
        Some("json") => serde_json::from_str(&text)
            .map_err(|err| syntax(err.line(), err.column(), err.to_string()))?,
        _ => {
            let table: toml::Table = toml::from_str(&text).map_err(|err| {
                let (line, column) = err
                    .span()
                    .map_or((1, 1), |span| crate::error::line_column(&text, span.start));
                syntax(line, column, err.message().trim().to_owned())
            })?;
            serde_json::to_value(table).unwrap_or_default()
        }
    };
    Ok((text, value))
}

/// A Hugo taxonomy: every term has a feed (Hugo's RSS, here Atom).
fn hugo_taxonomy(name: &str) -> app::Taxonomy {
    app::Taxonomy {
        feed: true,
        ..app::Taxonomy::named(name)
    }
}

/// The 1-based line where `key` is set in `text` (1 when not found).
fn line_of(text: &str, key: &str) -> usize {
    text.lines()
        .position(|line| {
            let line = line.trim_start().trim_start_matches('[');
            line.starts_with(key) && line[key.len()..].trim_start().starts_with(['=', ':', ']'])
        })
        .map_or(1, |i| i + 1)
}

/// Which top-level folders of `content` are the blog and the docs tree, by their shape:
/// the blog is the folder (without nested sections) with the most dated entries (a
/// `YYYY-MM-DD` name, a `date` key in the front matter, or a `path`/`url` starting with
/// `YYYY/MM/DD/`), or the content root itself (named `""`) when its own entries are more
/// dated still; the docs tree the first folder with nested sections (an `_index.md`
/// below its own) whose `_index.md` does not ask for a list (`paginate_by`, `sort_by`
/// other than `weight`). Every other folder is a section of standalone pages. Folders are
/// returned by name; a role no folder has keeps Atoll's default (`posts`, `docs`),
/// which then holds nothing.
pub fn sections(content: &Path) -> Sections {
    let mut folders: Vec<PathBuf> = std::fs::read_dir(content)
        .into_iter()
        .flatten()
        .flatten()
        .map(|entry| entry.path())
        .filter(|path| path.is_dir() && !hidden(path))
        .collect();
    folders.sort();
    let mut sections = Sections::default();
    let mut docs_found = false;
    let mut best = 0;
    for folder in &folders {
        let name = folder
            .file_name()
            .unwrap_or_default()
            .to_string_lossy()
            .into_owned();
        let markdown: Vec<PathBuf> = walkdir::WalkDir::new(folder)
            .into_iter()
            .filter_entry(|e| !hidden(e.path()))
            .flatten()
            .filter(|e| e.file_type().is_file() && e.path().extension().is_some_and(|x| x == "md"))
            .map(|e| e.into_path())
            .collect();
        let nested = markdown.iter().any(|p| {
            p.file_name().is_some_and(|n| n == "_index.md") && p.parent() != Some(folder.as_path())
        });
        if nested && !lists(folder) {
            if !docs_found {
                docs_found = true;
                sections.docs = name;
            }
            continue;
        }
        let dated = markdown.iter().filter(|p| is_dated(p)).count();
        if dated > best {
            best = dated;
            sections.posts = name;
        }
    }
    // A blog at the content root (blog.rust-lang.org: hundreds of dated posts beside
    // the sections): its Markdown files and leaf bundles there, when they outnumber
    // every folder's dated entries.
    let at_root = std::fs::read_dir(content)
        .into_iter()
        .flatten()
        .flatten()
        .map(|entry| entry.path())
        .filter(|path| !hidden(path))
        .map(|path| match path.is_dir() {
            true => path.join("index.md"),
            false => path,
        })
        .filter(|path| {
            path.is_file()
                && path.extension().is_some_and(|x| x == "md")
                && (path.parent() == Some(content) || !path.with_file_name("_index.md").is_file())
        })
        .filter(|path| is_dated(path))
        .count();
    if at_root > best {
        sections.posts = String::new();
    }
    sections
}

/// Whether the section folder's `_index.md` asks for a paginated or ordered list
/// (`paginate_by`, or `sort_by` other than `weight`/`none`): such a tree is a section
/// with subsections, not a docs tree read in weight order.
fn lists(folder: &Path) -> bool {
    std::fs::read_to_string(folder.join("_index.md")).is_ok_and(|text| {
        text.lines().take(40).any(|line| {
            let Some((key, value)) = line.split_once(['=', ':']) else {
                return false;
            };
            let value = value.trim().trim_matches(['"', '\'']);
            match key.trim() {
                "paginate_by" | "paginate" => true,
                "sort_by" => !matches!(value, "weight" | "none"),
                _ => false,
            }
        })
    })
}

fn hidden(path: &Path) -> bool {
    path.file_name()
        .is_some_and(|n| n.to_string_lossy().starts_with('.'))
}

/// A dated entry: `YYYY-MM-DD` at the start of its name (or its bundle folder's), or a
/// `date` key in its front matter.
fn is_dated(path: &Path) -> bool {
    let named = |p: &Path| {
        p.file_name().is_some_and(|n| {
            let n = n.to_string_lossy();
            n.len() >= 10 && chrono::NaiveDate::parse_from_str(&n[..10], "%Y-%m-%d").is_ok()
        })
    };
    if path.file_name().is_some_and(|n| n == "_index.md") {
        return false;
    }
    let bundle = path.file_name().is_some_and(|n| n == "index.md");
    if named(path) || (bundle && path.parent().is_some_and(named)) {
        return true;
    }
    // A `date` key, or a Zola `path` / Hugo `url` that starts with `YYYY/MM/DD/`.
    std::fs::read_to_string(path).is_ok_and(|text| {
        text.lines().take(40).any(|line| {
            let (key, value) = match line.split_once(['=', ':']) {
                Some((key, value)) => (key.trim(), value.trim()),
                None => return false,
            };
            match key {
                "date" => true,
                "path" | "url" => {
                    let value = value.trim_matches(['"', '\'', '/']);
                    value.len() > 11
                        && value.get(..10).is_some_and(|date| {
                            chrono::NaiveDate::parse_from_str(date, "%Y/%m/%d").is_ok()
                        })
                }
                _ => false,
            }
        })
    })
}
