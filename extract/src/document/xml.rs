//! A bounded walk over an XML part of a Word file. quick-xml is a pull parser that
//! borrows from the input and expands no entities beyond the five predefined ones and
//! character references, so an entity bomb cannot grow; a DOCTYPE is refused outright,
//! and nesting deeper than [`MAX_DEPTH`] is an error.

use std::borrow::Cow;

use quick_xml::{
    Reader,
    events::{BytesStart, Event},
};

use super::FileError;

/// The deepest element nesting accepted (Word's deepest real nesting — tables in tables
/// in text boxes — stays below 40).
pub(super) const MAX_DEPTH: usize = 256;

/// An event of the walk.
pub(super) enum Node<'a, 'e> {
    /// An opening tag; `empty` for a self-closing one (no `Close` follows).
    Open {
        tag: &'e BytesStart<'a>,
        empty: bool,
    },
    Close {
        name: &'e str,
    },
    Text(Cow<'e, str>),
}

/// Calls `f` for each element and text of `xml`, in document order.
pub(super) fn walk<'a>(
    xml: &'a str,
    mut f: impl FnMut(Node<'a, '_>) -> Result<(), FileError>,
) -> Result<(), FileError> {
    let mut reader = Reader::from_str(xml);
    let mut depth = 0usize;
    loop {
        let event = reader
            .read_event()
            .map_err(|e| FileError::malformed(format!("XML 格式错误：{e}")))?;
        match event {
            Event::Start(tag) => {
                depth += 1;
                if depth > MAX_DEPTH {
                    return Err(FileError::OverLimit {
                        what: "XML 嵌套层数",
                        limit: MAX_DEPTH,
                    });
                }
                f(Node::Open {
                    tag: &tag,
                    empty: false,
                })?;
            }
            Event::Empty(tag) => f(Node::Open {
                tag: &tag,
                empty: true,
            })?,
            Event::End(end) => {
                depth = depth.saturating_sub(1);
                let name = end.name();
                f(Node::Close {
                    name: name.as_ref(),
                })?;
            }
            Event::Text(t) => f(Node::Text(t.xml10_content()))?,
            Event::CData(t) => f(Node::Text(t.xml10_content()))?,
            Event::GeneralRef(r) => {
                let resolved = match r.resolve_char_ref() {
                    Ok(Some(c)) => Some(c.to_string()),
                    _ => quick_xml::escape::resolve_predefined_entity(&r).map(str::to_owned),
                };
                if let Some(s) = resolved {
                    f(Node::Text(Cow::Owned(s)))?;
                }
            }
            Event::DocType(_) => return Err(FileError::malformed("XML 含 DOCTYPE 声明")),
            Event::Eof => return Ok(()),
            Event::Comment(_) | Event::Decl(_) | Event::PI(_) => {}
        }
    }
}

/// The qualified name of a tag (`w:p`).
pub(super) fn name<'t>(tag: &'t BytesStart<'_>) -> &'t str {
    tag.name().into_inner()
}

/// The value of an attribute (`w:val`), unescaped.
pub(super) fn attr(tag: &BytesStart<'_>, key: &str) -> Option<String> {
    tag.try_get_attribute(key).ok().flatten().and_then(|a| {
        a.normalized_value(quick_xml::XmlVersion::Implicit1_0)
            .ok()
            .map(Cow::into_owned)
    })
}

/// The value of an integer attribute.
pub(super) fn int_attr(tag: &BytesStart<'_>, key: &str) -> Option<i64> {
    attr(tag, key).and_then(|v| v.trim().parse().ok())
}
