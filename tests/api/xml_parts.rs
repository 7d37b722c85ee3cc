//! Reads the XML parts of an Office package (DOCX, XLSX) with an independent XML parser
//! (`quick-xml`): the parts must be well-formed, and tests look at their elements.

use std::io::Read;

use quick_xml::{Reader, events::Event};

/// An element: its qualified name, attributes and the text directly inside it.
#[derive(Clone, Debug)]
pub struct Element {
    pub name: String,
    pub attrs: Vec<(String, String)>,
    pub text: String,
}

impl Element {
    pub fn attr(&self, name: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

/// A part of the package as text.
pub fn part(bytes: &[u8], name: &str) -> String {
    let mut zip =
        zip::ZipArchive::new(std::io::Cursor::new(bytes.to_vec())).expect("a zip package");
    let mut xml = String::new();
    zip.by_name(name)
        .unwrap_or_else(|_| panic!("{name} is in the package"))
        .read_to_string(&mut xml)
        .unwrap();
    xml
}

/// Every element of a well-formed XML text, in document order (panics on malformed XML).
pub fn elements(xml: &str) -> Vec<Element> {
    let mut reader = Reader::from_str(xml);
    let mut out: Vec<Element> = Vec::new();
    let mut open: Vec<usize> = Vec::new();
    loop {
        match reader.read_event().expect("well-formed XML") {
            Event::Start(e) => {
                out.push(element(&e));
                open.push(out.len() - 1);
            }
            Event::Empty(e) => out.push(element(&e)),
            Event::End(_) => {
                open.pop();
            }
            Event::Text(t) => {
                if let Some(&i) = open.last() {
                    out[i].text.push_str(&t.xml10_content());
                }
            }
            Event::GeneralRef(r) => {
                if let Some(&i) = open.last() {
                    if let Some(c) = r.resolve_char_ref().expect("a character") {
                        out[i].text.push(c);
                        continue;
                    }
                    let name = AsRef::<str>::as_ref(&r).to_owned();
                    out[i].text.push_str(match name.as_str() {
                        "amp" => "&",
                        "lt" => "<",
                        "gt" => ">",
                        "quot" => "\"",
                        "apos" => "'",
                        _ => "?",
                    });
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    assert!(open.is_empty(), "every element is closed");
    out
}

fn element(e: &quick_xml::events::BytesStart<'_>) -> Element {
    Element {
        name: e.name().0.to_owned(),
        attrs: e
            .attributes()
            .map(|a| {
                let a = a.expect("an attribute");
                (
                    a.key.0.to_owned(),
                    a.normalized_value(quick_xml::XmlVersion::Implicit1_0)
                        .expect("a value")
                        .into_owned(),
                )
            })
            .collect(),
        text: String::new(),
    }
}

/// The elements named `name`.
pub fn named<'a>(all: &'a [Element], name: &str) -> Vec<&'a Element> {
    all.iter().filter(|e| e.name == name).collect()
}

/// The text of the first element named `name`.
pub fn text_of(all: &[Element], name: &str) -> String {
    named(all, name)
        .first()
        .unwrap_or_else(|| panic!("a <{name}>"))
        .text
        .clone()
}
