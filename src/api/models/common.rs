//! Shapes shared by several models: id references, name/value pairs,
//! pagination and the string-enum helper that tolerates unknown values.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// Fields a model does not know, kept so a get -> edit -> PUT drops nothing.
pub type Extra = Map<String, Value>;

/// `{ "id": "..." }` pointer to another object.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct IdRef {
    pub id: String,
    #[serde(flatten)]
    pub extra: Extra,
}

impl IdRef {
    pub fn new(id: impl Into<String>) -> Self {
        Self {
            id: id.into(),
            extra: Extra::new(),
        }
    }
}

/// Generic `{name, value}` pair (headers, attributes, l10n strings).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct NameValue {
    pub name: String,
    pub value: String,
    #[serde(flatten)]
    pub extra: Extra,
}

impl NameValue {
    pub fn new(name: impl Into<String>, value: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            value: value.into(),
            extra: Extra::new(),
        }
    }
}

/// Paging summary of every list answer.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct PaginationInfo {
    #[serde(default)]
    pub count: u64,
    #[serde(default)]
    pub pagenum: u64,
    #[serde(default)]
    pub pagesize: u64,
}

/// Body of every create answer.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct IdResponse {
    pub id: String,
}

/// A list answer: pagination plus the items found under the kind's list key.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Page<T> {
    pub pagination: PaginationInfo,
    pub items: Vec<T>,
}

/// Defines a string enum that keeps values it does not know (a live tenant
/// may send more than the spec lists) instead of failing to parse.
#[macro_export]
macro_rules! string_enum {
    ($(#[$meta:meta])* $name:ident { $($variant:ident => $text:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash)]
        pub enum $name {
            $($variant,)+
            /// A value this build does not know, kept verbatim.
            Other(String),
        }

        impl $name {
            /// Every value the spec lists.
            pub const KNOWN: &'static [&'static str] = &[$($text),+];

            pub fn as_str(&self) -> &str {
                match self {
                    $($name::$variant => $text,)+
                    $name::Other(s) => s.as_str(),
                }
            }
        }

        impl std::str::FromStr for $name {
            type Err = std::convert::Infallible;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Ok(match s {
                    $($text => $name::$variant,)+
                    other => $name::Other(other.to_owned()),
                })
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let s = String::deserialize(d)?;
                Ok(s.parse().unwrap_or_else(|never: std::convert::Infallible| match never {}))
            }
        }
    };
}
