//! Agencies' reminder webhooks: set by whoever manages the agency's people (its
//! coordinators, supervisors above it, admins). The URL carries the robot's secret key:
//! it is shown back masked.

use uuid::Uuid;

use super::{Actor, ServiceError, Services};
use crate::{domain::access::Operation, store::webhooks::WebhookRow};

impl Services {
    /// Sets an agency's webhook (`None` removes it). Only `http(s)` URLs with a host.
    /// `secret` is a 钉钉 robot's 加签 secret: `Keep` leaves the one stored (while the URL
    /// stays the same), `Clear` removes it.
    pub async fn set_agency_webhook(
        &self,
        actor: &Actor,
        agency_id: Uuid,
        url: Option<String>,
        secret: SecretChange,
    ) -> Result<Option<WebhookRow>, ServiceError> {
        actor.require_in(Operation::ManagePeople, agency_id)?;
        if self.store.agency(agency_id).await?.is_none() {
            return Err(ServiceError::not_found("agency", agency_id));
        }
        let url = url.map(|u| u.trim().to_owned()).filter(|u| !u.is_empty());
        let secret = match secret {
            SecretChange::Set(s) => {
                let s = s.trim().to_owned();
                if s.is_empty() || s.len() > 200 || !s.chars().all(|c| c.is_ascii_graphic()) {
                    return Err(ServiceError::invalid(
                        "secret",
                        "加签密钥须为 1 至 200 个可见的英文字母、数字或符号（钉钉机器人“安全设置”中以 SEC 开头的一串）",
                    ));
                }
                Some(s)
            }
            SecretChange::Clear => None,
            SecretChange::Keep => match (&url, self.store.agency_webhook(agency_id).await?) {
                (Some(url), Some(old)) if &old.url == url => old.secret,
                _ => None,
            },
        };
        if let Some(url) = &url {
            let parsed = reqwest::Url::parse(url)
                .map_err(|e| ServiceError::invalid("url", format!("不是有效的网址：{e}")))?;
            if !matches!(parsed.scheme(), "http" | "https") || parsed.host_str().is_none() {
                return Err(ServiceError::invalid(
                    "url",
                    "webhook 地址须以 http:// 或 https:// 开头并包含主机名",
                ));
            }
            if url.len() > 2000 {
                return Err(ServiceError::invalid(
                    "url",
                    "webhook 地址不能超过 2000 个字符",
                ));
            }
            self.check_destination(&parsed).await?;
        }
        let row = self
            .store
            .set_agency_webhook(
                agency_id,
                url.as_deref(),
                secret.as_deref(),
                actor.account_id(),
            )
            .await?;
        tracing::info!(agency = %agency_id, set = row.is_some(), "agency webhook changed");
        Ok(row)
    }

    /// Refuses a webhook host that is (or resolves to) an internal address the configured
    /// allowlist does not name. A host that does not resolve now is accepted: the sender
    /// checks every address again when it connects.
    async fn check_destination(&self, url: &reqwest::Url) -> Result<(), ServiceError> {
        let host = url
            .host_str()
            .unwrap_or_default()
            .trim_start_matches('[')
            .trim_end_matches(']')
            .to_owned();
        let addresses: Vec<std::net::IpAddr> = match host.parse() {
            Ok(ip) => vec![ip],
            Err(_) => {
                let lookup = tokio::net::lookup_host((host.as_str(), 0));
                match tokio::time::timeout(std::time::Duration::from_secs(3), lookup).await {
                    Ok(Ok(found)) => found.map(|a| a.ip()).collect(),
                    _ => Vec::new(),
                }
            }
        };
        if let Some(ip) = addresses
            .iter()
            .find(|ip| !self.webhook_allow.permits(&host, **ip))
        {
            return Err(ServiceError::invalid(
                "url",
                format!(
                    "webhook 地址指向内部网络（{ip}），须由管理员在 RECTIFY_WEBHOOK_ALLOW 中列出后才能使用"
                ),
            ));
        }
        Ok(())
    }

    /// An agency's webhook, for those who may set it.
    pub async fn agency_webhook(
        &self,
        actor: &Actor,
        agency_id: Uuid,
    ) -> Result<Option<WebhookRow>, ServiceError> {
        actor.require_in(Operation::ManagePeople, agency_id)?;
        Ok(self.store.agency_webhook(agency_id).await?)
    }
}

/// What to do with a webhook's 加签 secret when its URL is set.
#[derive(Clone, Debug)]
pub enum SecretChange {
    /// Keep the stored secret if the URL is unchanged (a new URL starts without one).
    Keep,
    /// Remove it.
    Clear,
    /// Use this one.
    Set(String),
}

/// A webhook URL with its secret part (query, user info) hidden.
pub fn mask_url(url: &str) -> String {
    match reqwest::Url::parse(url) {
        Ok(u) => {
            let mut shown = format!("{}://{}", u.scheme(), u.host_str().unwrap_or(""));
            if let Some(port) = u.port() {
                shown.push_str(&format!(":{port}"));
            }
            shown.push_str(u.path());
            if u.query().is_some() {
                shown.push_str("?…");
            }
            shown
        }
        Err(_) => "…".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::mask_url;

    #[test]
    fn the_secret_key_of_a_robot_url_is_hidden() {
        assert_eq!(
            mask_url("https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=abc-secret"),
            "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?…"
        );
        assert_eq!(
            mask_url("http://user:pw@127.0.0.1:9000/hook"),
            "http://127.0.0.1:9000/hook"
        );
    }
}
