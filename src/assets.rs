//! The GraphQL IDE's files, embedded in the binary so the IDE works on closed networks:
//! nothing is loaded from a CDN.

/// The IDE page, served at `/graphql` to browsers.
pub const IDE_HTML: &str = include_str!("../assets/ide/index.html");

/// The vendored files served under `/ide/`: (path, content type, bytes).
const IDE_FILES: &[(&str, &str, &[u8])] = &[
    (
        "ide.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../assets/ide/ide.js"),
    ),
    (
        "ide.css",
        "text/css; charset=utf-8",
        include_bytes!("../assets/ide/ide.css"),
    ),
    (
        "vendor/graphiql.min.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../assets/ide/vendor/graphiql.min.js"),
    ),
    (
        "vendor/graphiql.min.css",
        "text/css; charset=utf-8",
        include_bytes!("../assets/ide/vendor/graphiql.min.css"),
    ),
    (
        "vendor/react.production.min.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../assets/ide/vendor/react.production.min.js"),
    ),
    (
        "vendor/react-dom.production.min.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../assets/ide/vendor/react-dom.production.min.js"),
    ),
];

/// The content type and bytes of an IDE file, by its path under `/ide/`.
pub fn ide_file(path: &str) -> Option<(&'static str, &'static [u8])> {
    IDE_FILES
        .iter()
        .find(|(p, _, _)| *p == path)
        .map(|(_, ty, bytes)| (*ty, *bytes))
}

/// The web application's static files, embedded: (name, content type, bytes). Each is
/// served under a name that carries a digest of its bytes, so browsers may keep it forever.
const WEB_FILES: &[(&str, &str, &[u8])] = &[
    (
        "htmx-2.0.4.min.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../assets/vendor/htmx-2.0.4.min.js"),
    ),
    (
        "app.css",
        "text/css; charset=utf-8",
        include_bytes!("../assets/web/app.css"),
    ),
    (
        "app.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../assets/web/app.js"),
    ),
];

/// A web file: its name, its served name (`app.3f2a9c1e.css`), content type and bytes.
type WebFile = (&'static str, String, &'static str, &'static [u8]);

/// The web files with their served names, computed once.
fn web_files() -> &'static [WebFile] {
    static FILES: std::sync::OnceLock<Vec<WebFile>> = std::sync::OnceLock::new();
    FILES.get_or_init(|| {
        use sha2::{Digest, Sha256};
        WEB_FILES
            .iter()
            .map(|(name, ty, bytes)| {
                let digest = hex::encode(&Sha256::digest(bytes)[..4]);
                let (stem, ext) = name.rsplit_once('.').unwrap_or((name, ""));
                (*name, format!("{stem}.{digest}.{ext}"), *ty, *bytes)
            })
            .collect()
    })
}

/// The URL path of web file `name` (e.g. `app.css` → `/assets/app.3f2a9c1e.css`).
pub fn web_path(name: &str) -> String {
    web_files()
        .iter()
        .find(|(n, ..)| *n == name)
        .map(|(_, served, ..)| format!("/assets/{served}"))
        .unwrap_or_else(|| format!("/assets/{name}"))
}

/// The content type and bytes of a web file, by its served name.
pub fn web_file(served: &str) -> Option<(&'static str, &'static [u8])> {
    web_files()
        .iter()
        .find(|(_, s, ..)| s == served)
        .map(|(_, _, ty, bytes)| (*ty, *bytes))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn web_files_are_served_under_their_digest() {
        let css = web_path("app.css");
        assert!(
            css.starts_with("/assets/app.") && css.ends_with(".css"),
            "{css}"
        );
        let served = css.trim_start_matches("/assets/");
        assert!(web_file(served).is_some());
        assert!(
            web_file("app.css").is_none(),
            "only the digested name is served"
        );
        assert!(web_path("htmx-2.0.4.min.js").starts_with("/assets/htmx-2.0.4.min."));
    }
}
