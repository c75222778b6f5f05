//! `ATTACHMENTS_URL` / `ATTACHMENTS_DIR` and the usual `AWS_*` variables.
use crate::config::{ConfigError, Secret};
use object_store::ObjectStore;
use std::path::PathBuf;
use std::sync::Arc;

#[derive(Debug, Clone)]
pub enum StoreConfig {
    Local(PathBuf),
    S3(S3Config),
}

#[derive(Debug, Clone)]
pub struct S3Config {
    pub bucket: String,
    /// Keys go under this prefix (no leading or trailing slash; may be empty).
    pub prefix: String,
    pub endpoint: Option<String>,
    pub region: Option<String>,
    pub access_key_id: Option<String>,
    pub secret_access_key: Option<Secret>,
    pub allow_http: bool,
}

impl StoreConfig {
    /// `get` reads a trimmed, non-empty variable. Both settings at once is an error: which
    /// one was meant cannot be guessed, and a wrong guess hides evidence.
    pub fn parse(get: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let url = get("ATTACHMENTS_URL");
        let dir = get("ATTACHMENTS_DIR");
        let url = match (url, dir) {
            (Some(_), Some(_)) => return Err(ConfigError::BothAttachmentSettings),
            (None, dir) => {
                return Ok(StoreConfig::Local(PathBuf::from(
                    dir.unwrap_or_else(|| "data/attachments".into()),
                )))
            }
            (Some(url), None) => url,
        };
        let invalid = || ConfigError::Invalid("ATTACHMENTS_URL", url.clone());
        if let Some(path) = url.strip_prefix("file://") {
            if path.is_empty() {
                return Err(invalid());
            }
            return Ok(StoreConfig::Local(PathBuf::from(path)));
        }
        let rest = url.strip_prefix("s3://").ok_or_else(invalid)?;
        let (bucket, prefix) = rest.split_once('/').unwrap_or((rest, ""));
        if bucket.is_empty() {
            return Err(invalid());
        }
        let allow_http = match get("AWS_ALLOW_HTTP").as_deref() {
            None | Some("false") | Some("0") => false,
            Some("true") | Some("1") => true,
            Some(other) => return Err(ConfigError::Invalid("AWS_ALLOW_HTTP", other.into())),
        };
        Ok(StoreConfig::S3(S3Config {
            bucket: bucket.into(),
            prefix: prefix.trim_matches('/').into(),
            endpoint: get("AWS_ENDPOINT_URL"),
            region: get("AWS_REGION"),
            access_key_id: get("AWS_ACCESS_KEY_ID"),
            secret_access_key: get("AWS_SECRET_ACCESS_KEY").map(Secret::new),
            allow_http,
        }))
    }

    /// The local folder, when that is the store.
    pub fn local_dir(&self) -> Option<&std::path::Path> {
        match self {
            StoreConfig::Local(dir) => Some(dir),
            StoreConfig::S3(_) => None,
        }
    }
}

impl S3Config {
    pub(super) fn build(&self) -> object_store::Result<Arc<dyn ObjectStore>> {
        let mut b = object_store::aws::AmazonS3Builder::new()
            .with_bucket_name(&self.bucket)
            .with_region(self.region.as_deref().unwrap_or("us-east-1"))
            .with_allow_http(self.allow_http);
        if let Some(endpoint) = &self.endpoint {
            // S3-compatible servers (MinIO, moto, SeaweedFS) answer on one host: path-style.
            b = b
                .with_endpoint(endpoint)
                .with_virtual_hosted_style_request(false);
        }
        if let Some(id) = &self.access_key_id {
            b = b.with_access_key_id(id);
        }
        if let Some(secret) = &self.secret_access_key {
            b = b.with_secret_access_key(secret.expose());
        }
        let s3: Arc<dyn ObjectStore> = Arc::new(b.build()?);
        Ok(if self.prefix.is_empty() {
            s3
        } else {
            Arc::new(object_store::prefix::PrefixStore::new(
                s3,
                self.prefix.as_str(),
            ))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn parse(vars: &[(&str, &str)]) -> Result<StoreConfig, ConfigError> {
        let map: HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        StoreConfig::parse(|k| map.get(k).cloned())
    }

    #[test]
    fn both_settings_refuse_the_start_naming_both() {
        let err = parse(&[("ATTACHMENTS_URL", "s3://b/p"), ("ATTACHMENTS_DIR", "/x")])
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("ATTACHMENTS_URL") && err.contains("ATTACHMENTS_DIR"),
            "{err}"
        );
    }

    #[test]
    fn the_local_folder_stays_the_default() {
        assert!(
            matches!(parse(&[]).unwrap(), StoreConfig::Local(d) if d.to_str() == Some("data/attachments"))
        );
        assert!(
            matches!(parse(&[("ATTACHMENTS_URL", "file:///srv/ev")]).unwrap(), StoreConfig::Local(d) if d.to_str() == Some("/srv/ev"))
        );
    }

    #[test]
    fn s3_urls_name_bucket_and_prefix() {
        let StoreConfig::S3(s3) = parse(&[
            ("ATTACHMENTS_URL", "s3://evidence/app/one/"),
            ("AWS_ALLOW_HTTP", "true"),
            ("AWS_ENDPOINT_URL", "http://127.0.0.1:9000"),
        ])
        .unwrap() else {
            panic!("not s3")
        };
        assert_eq!(
            (s3.bucket.as_str(), s3.prefix.as_str()),
            ("evidence", "app/one")
        );
        assert!(s3.allow_http);
        assert!(parse(&[("ATTACHMENTS_URL", "s3:///p")]).is_err());
        assert!(parse(&[("ATTACHMENTS_URL", "gs://b")]).is_err());
        assert!(parse(&[("ATTACHMENTS_URL", "s3://b"), ("AWS_ALLOW_HTTP", "yes")]).is_err());
    }
}
