//! The GraphQL IDE's files, embedded in the binary so the IDE works on closed networks:
//! nothing is loaded from a CDN.

/// The IDE page served at `/`.
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
