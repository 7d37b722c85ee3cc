//! An email address, checked once when it enters the system.

/// A syntactically plausible email address, trimmed and with a lower-case domain.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Email(String);

/// Why a string is not an email address.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0:?} is not an email address (expected name@domain)")]
pub struct InvalidEmail(pub String);

impl Email {
    /// Parses `s`: one `@`, a non-empty local part, a dotted domain, no spaces, at most 254 bytes.
    pub fn parse(s: &str) -> Result<Self, InvalidEmail> {
        let s = s.trim();
        let bad = || InvalidEmail(s.to_owned());
        let (local, domain) = s.split_once('@').ok_or_else(bad)?;
        let plausible = !local.is_empty()
            && s.len() <= 254
            && !domain.contains('@')
            && domain.contains('.')
            && !domain.starts_with('.')
            && !domain.ends_with('.')
            && !s
                .chars()
                .any(|c| c.is_whitespace() || c.is_control() || "<>,;\"".contains(c));
        if !plausible {
            return Err(bad());
        }
        Ok(Email(format!("{local}@{}", domain.to_ascii_lowercase())))
    }

    /// The address as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for Email {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::Email;

    #[test]
    fn accepts_ordinary_addresses_and_normalises_the_domain() {
        assert_eq!(
            Email::parse(" Zhang.San@Example.GOV.cn ").unwrap().as_str(),
            "Zhang.San@example.gov.cn"
        );
    }

    #[test]
    fn refuses_what_cannot_be_an_address() {
        for bad in [
            "", "no-at", "a@b", "a@@b.cn", "a b@c.cn", "@c.cn", "a@.cn", "a@c.cn.", "x<y@z.cn",
        ] {
            assert!(Email::parse(bad).is_err(), "{bad}");
        }
    }
}
