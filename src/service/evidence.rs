//! Evidence (佐证材料): files stored on the local filesystem, content-addressed by SHA-256,
//! with a size limit and an allowlist of types judged by their bytes; notes and links too.
//! Evidence is never added to a closed or cancelled item.

use std::path::{Path, PathBuf};

use chrono::Utc;
use serde_json::json;
use sha2::{Digest, Sha256};
use uuid::Uuid;

use super::{Actor, ServiceError, Services, text, workflow::finish};
use crate::{
    domain::{EvidenceKind, workflow::ItemRole},
    store::{
        items::ItemRow,
        tx::NewEvent,
        workflow::{EvidenceRow, NewEvidence},
    },
};

/// What is offered as evidence.
#[derive(Clone, Debug)]
pub enum EvidenceInput {
    File { name: String, bytes: Vec<u8> },
    Note { name: String, text: String },
    Link { name: String, url: String },
}

/// A file that may be downloaded: where it is, and how to serve it.
#[derive(Clone, Debug)]
pub struct EvidenceFile {
    pub path: PathBuf,
    pub name: String,
    pub content_type: String,
    pub size: u64,
}

/// The roles that may add evidence: those who do the work and the agency's coordinator.
pub(crate) const MAY_ADD: &[ItemRole] =
    &[ItemRole::Lead, ItemRole::Responsible, ItemRole::Coordinator];

/// The type of a file judged by its first bytes (its name only tells apart the office
/// formats that share a container). `None`: not on the allowlist. Written by hand because
/// the allowlist is short and a sniffing crate would accept far more than we want.
pub fn sniff(name: &str, bytes: &[u8]) -> Option<&'static str> {
    let ext = Path::new(name)
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase)
        .unwrap_or_default();
    if bytes.starts_with(b"%PDF-") {
        return Some("application/pdf");
    }
    if bytes.starts_with(&[0x89, b'P', b'N', b'G', 0x0d, 0x0a, 0x1a, 0x0a]) {
        return Some("image/png");
    }
    if bytes.starts_with(&[0xff, 0xd8, 0xff]) {
        return Some("image/jpeg");
    }
    if bytes.starts_with(b"GIF87a") || bytes.starts_with(b"GIF89a") {
        return Some("image/gif");
    }
    if bytes.len() >= 12 && &bytes[..4] == b"RIFF" && &bytes[8..12] == b"WEBP" {
        return Some("image/webp");
    }
    if bytes.starts_with(b"PK\x03\x04") {
        return match ext.as_str() {
            "docx" => {
                Some("application/vnd.openxmlformats-officedocument.wordprocessingml.document")
            }
            "xlsx" => Some("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
            "pptx" => {
                Some("application/vnd.openxmlformats-officedocument.presentationml.presentation")
            }
            "ofd" => Some("application/ofd"),
            _ => None,
        };
    }
    if bytes.starts_with(&[0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]) {
        return match ext.as_str() {
            "doc" => Some("application/msword"),
            "xls" => Some("application/vnd.ms-excel"),
            "ppt" => Some("application/vnd.ms-powerpoint"),
            _ => None,
        };
    }
    let is_text = matches!(ext.as_str(), "txt" | "md" | "csv")
        && std::str::from_utf8(bytes).is_ok()
        && !bytes.contains(&0);
    is_text.then_some(if ext == "csv" {
        "text/csv; charset=utf-8"
    } else {
        "text/plain; charset=utf-8"
    })
}

/// `name` with the extension its content has: a PDF named `.html` is stored as `.pdf`, so a
/// download is opened by the program its bytes are for.
pub fn name_for_content(name: &str, content_type: &str) -> String {
    let fitting: &[&str] = match content_type {
        "application/pdf" => &["pdf"],
        "image/png" => &["png"],
        "image/jpeg" => &["jpg", "jpeg"],
        "image/gif" => &["gif"],
        "image/webp" => &["webp"],
        // The office formats and text are told apart by their extension already.
        _ => return name.to_owned(),
    };
    let path = Path::new(name);
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase);
    if ext.as_deref().is_some_and(|e| fitting.contains(&e)) {
        return name.to_owned();
    }
    let stem = match ext {
        Some(_) => path.file_stem().and_then(|s| s.to_str()).unwrap_or(name),
        None => name,
    };
    format!("{stem}.{}", fitting[0])
}

/// Where a file with digest `sha256` lives under `root`.
fn blob_path(root: &Path, sha256: &str) -> PathBuf {
    root.join(&sha256[..2]).join(sha256)
}

/// Writes `bytes` under its digest, once: a temporary file renamed into place, so a reader
/// never sees half a file and the same content is stored once.
async fn store_blob(root: &Path, sha256: &str, bytes: &[u8]) -> std::io::Result<()> {
    let path = blob_path(root, sha256);
    if tokio::fs::try_exists(&path).await? {
        return Ok(());
    }
    let dir = path.parent().expect("a blob path has a parent");
    tokio::fs::create_dir_all(dir).await?;
    let tmp = dir.join(format!(".{}.tmp", Uuid::now_v7()));
    tokio::fs::write(&tmp, bytes).await?;
    tokio::fs::rename(&tmp, &path).await
}

fn io_error(e: std::io::Error) -> ServiceError {
    ServiceError::Fault(format!("evidence storage: {e}"))
}

impl Services {
    /// Whether `actor` may add evidence to `item` now.
    fn may_add_evidence(&self, actor: &Actor, item: &ItemRow) -> Result<(), ServiceError> {
        let roles = actor.require_item(item)?;
        if !matches!(actor, Actor::System) && !roles.iter().any(|r| MAY_ADD.contains(r)) {
            return Err(ServiceError::Forbidden(
                "佐证材料由该事项的责任领导、责任人或本单位联络员添加".into(),
            ));
        }
        if self.workflow.is_final(&item.state) {
            return Err(ServiceError::Rule {
                code: "ITEM_CLOSED",
                message: format!("该事项{}，不能再添加佐证材料（须先重新打开）", item.state),
            });
        }
        Ok(())
    }

    /// Adds evidence to an item. Refused once the item is closed or cancelled. The caller's
    /// right to add is checked before a file is written to storage, and again in the
    /// transaction that records it.
    pub async fn add_evidence(
        &self,
        actor: &Actor,
        item_id: Uuid,
        input: EvidenceInput,
    ) -> Result<EvidenceRow, ServiceError> {
        let item = self
            .store
            .item(item_id)
            .await?
            .ok_or_else(|| ServiceError::not_found("item", item_id))?;
        self.may_add_evidence(actor, &item)?;
        let mut new = match input {
            EvidenceInput::File { name, bytes } => {
                let name = text::required_as("name", "文件名", &name, 255)?;
                if bytes.len() > self.max_upload_bytes {
                    return Err(ServiceError::TooLarge(format!(
                        "文件大小为 {} 字节，佐证材料文件最大 {} 字节",
                        bytes.len(),
                        self.max_upload_bytes
                    )));
                }
                if bytes.is_empty() {
                    return Err(ServiceError::invalid("file", "上传的文件是空的"));
                }
                let content_type = sniff(&name, &bytes).ok_or_else(|| ServiceError::Rule {
                    code: "UNSUPPORTED_TYPE",
                    message: format!(
                        "{name} is not an accepted evidence type: send PDF, PNG, JPEG, GIF, WebP, \
                         Word, Excel, PowerPoint, OFD or plain text"
                    ),
                })?;
                let name = name_for_content(&name, content_type);
                let sha256 = hex::encode(Sha256::digest(&bytes));
                store_blob(&self.evidence_dir, &sha256, &bytes)
                    .await
                    .map_err(io_error)?;
                NewEvidence {
                    item_id,
                    kind: EvidenceKind::File.as_str().into(),
                    name,
                    content_type: Some(content_type.into()),
                    size_bytes: Some(bytes.len() as i64),
                    storage_key: Some(sha256.clone()),
                    sha256: Some(sha256),
                    url: None,
                    note: None,
                    uploaded_by: None,
                }
            }
            EvidenceInput::Note { name, text: note } => NewEvidence {
                item_id,
                kind: EvidenceKind::Note.as_str().into(),
                name: text::required_as("name", "说明标题", &name, 255)?,
                content_type: None,
                size_bytes: None,
                sha256: Some(hex::encode(Sha256::digest(note.as_bytes()))),
                storage_key: None,
                url: None,
                note: Some(text::required("note", &note, 20_000)?),
                uploaded_by: None,
            },
            EvidenceInput::Link { name, url } => {
                let url = text::required("url", &url, 2000)?;
                if !(url.starts_with("https://") || url.starts_with("http://")) {
                    return Err(ServiceError::invalid(
                        "url",
                        "链接须以 http:// 或 https:// 开头",
                    ));
                }
                NewEvidence {
                    item_id,
                    kind: EvidenceKind::Link.as_str().into(),
                    name: text::required_as("name", "链接名称", &name, 255)?,
                    content_type: None,
                    size_bytes: None,
                    sha256: None,
                    storage_key: None,
                    url: Some(url),
                    note: None,
                    uploaded_by: None,
                }
            }
        };
        new.uploaded_by = actor.account_id();
        let tx = self.store.begin().await?;
        let result = async {
            let item = tx
                .item(item_id)
                .await?
                .ok_or_else(|| ServiceError::not_found("item", item_id))?;
            self.may_add_evidence(actor, &item)?;
            if let Some(sha) = new.sha256.as_deref()
                && new.kind == EvidenceKind::File.as_str()
                && tx.has_file_evidence(item_id, sha).await?
            {
                return Err(ServiceError::Conflict(format!(
                    "该文件已作为佐证材料上传过（SHA-256 {}），无需重复上传",
                    &sha[..12]
                )));
            }
            let row = tx.insert_evidence(new).await?;
            tx.append_event(NewEvent {
                item_id,
                action: "evidence_added",
                from_state: Some(&item.state),
                to_state: Some(&item.state),
                actor_account_id: actor.account_id(),
                actor_person_id: actor.person_id(),
                comment: None,
                payload_json: json!({
                    "evidence_id": row.id,
                    "kind": row.kind,
                    "name": row.name,
                    "sha256": row.sha256,
                    "size_bytes": row.size_bytes,
                    "url": row.url,
                })
                .to_string(),
                at: Utc::now(),
            })
            .await?;
            Ok((row, item))
        }
        .await;
        let (row, item) = finish(tx, result).await?;
        self.publish_item(&item, "evidence_added");
        Ok(row)
    }

    /// An item's evidence, for whoever may see the item.
    pub async fn evidence_of(
        &self,
        actor: &Actor,
        item_id: Uuid,
    ) -> Result<Vec<EvidenceRow>, ServiceError> {
        let item = self.item(actor, item_id).await?;
        Ok(self.store.evidence_of(item.id).await?)
    }

    /// A stored evidence file, for whoever may see its item.
    pub async fn evidence_file(
        &self,
        actor: &Actor,
        evidence_id: Uuid,
    ) -> Result<EvidenceFile, ServiceError> {
        let evidence = self
            .store
            .evidence(evidence_id)
            .await?
            .ok_or_else(|| ServiceError::not_found("evidence", evidence_id))?;
        self.item(actor, evidence.item_id).await?;
        let (Some(key), Some(content_type)) = (evidence.storage_key, evidence.content_type) else {
            return Err(ServiceError::not_found("evidence file", evidence_id));
        };
        let path = blob_path(&self.evidence_dir, &key);
        let size = tokio::fs::metadata(&path).await.map_err(io_error)?.len();
        Ok(EvidenceFile {
            path,
            name: evidence.name,
            content_type,
            size,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::{name_for_content, sniff};

    #[test]
    fn accepts_the_allowlisted_types_by_their_bytes() {
        assert_eq!(sniff("a.pdf", b"%PDF-1.7 ..."), Some("application/pdf"));
        assert_eq!(
            sniff("scan.JPG", &[0xff, 0xd8, 0xff, 0xe0]),
            Some("image/jpeg")
        );
        assert!(
            sniff("会议纪要.docx", b"PK\x03\x04rest")
                .unwrap()
                .contains("wordprocessingml")
        );
        assert_eq!(
            sniff("说明.txt", "整改说明".as_bytes()),
            Some("text/plain; charset=utf-8")
        );
    }

    #[test]
    fn a_file_is_named_for_what_it_holds() {
        assert_eq!(name_for_content("报告.html", "application/pdf"), "报告.pdf");
        assert_eq!(name_for_content("photo.exe", "image/gif"), "photo.gif");
        assert_eq!(name_for_content("现场照片", "image/jpeg"), "现场照片.jpg");
        assert_eq!(name_for_content("现场.JPEG", "image/jpeg"), "现场.JPEG");
        assert_eq!(
            name_for_content(
                "制度.docx",
                "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
            ),
            "制度.docx"
        );
    }

    #[test]
    fn refuses_what_is_not_on_the_list_or_lies_about_itself() {
        assert_eq!(sniff("run.exe", b"MZ\x90\x00"), None);
        assert_eq!(
            sniff("fake.pdf", b"MZ\x90\x00"),
            None,
            "a name does not make a PDF"
        );
        assert_eq!(sniff("archive.zip", b"PK\x03\x04"), None);
        assert_eq!(sniff("x.txt", &[0x00, 0x01, 0xff]), None);
        assert_eq!(sniff("page.html", b"<html>"), None);
    }
}
