//! The lenient value forms: what a key's value may look like in TOML or in an environment
//! variable (`"GET, PUT"` for a list, `yes`/`on`/`1` for a bool), read into [`super::Settings`].

use std::fmt;

use serde::Deserialize;
use serde::de::{self, Deserializer, SeqAccess, Visitor};

/// A value as it may arrive from TOML or an environment variable.
enum Loose {
    Bool(bool),
    Int(i128),
    Float(f64),
    Str(String),
    List(Vec<String>),
    Unit,
}

struct LooseVisitor;

impl<'de> Visitor<'de> for LooseVisitor {
    type Value = Loose;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a string, a number, a bool or a list of strings")
    }
    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Loose, E> {
        Ok(Loose::Bool(v))
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Loose, E> {
        Ok(Loose::Int(v.into()))
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Loose, E> {
        Ok(Loose::Int(v.into()))
    }
    fn visit_i128<E: de::Error>(self, v: i128) -> Result<Loose, E> {
        Ok(Loose::Int(v))
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Loose, E> {
        Ok(Loose::Float(v))
    }
    fn visit_char<E: de::Error>(self, v: char) -> Result<Loose, E> {
        Ok(Loose::Str(v.to_string()))
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Loose, E> {
        Ok(Loose::Str(v.to_string()))
    }
    fn visit_string<E: de::Error>(self, v: String) -> Result<Loose, E> {
        Ok(Loose::Str(v))
    }
    fn visit_unit<E: de::Error>(self) -> Result<Loose, E> {
        Ok(Loose::Unit)
    }
    fn visit_none<E: de::Error>(self) -> Result<Loose, E> {
        Ok(Loose::Unit)
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Loose, D::Error> {
        d.deserialize_any(LooseVisitor)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Loose, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element::<Scalar>()? {
            items.push(item.0);
        }
        Ok(Loose::List(items))
    }
}

/// One list element: a string, or a number written without quotes (`[8080]` in env vars).
struct Scalar(String);

impl<'de> Deserialize<'de> for Scalar {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        match d.deserialize_any(LooseVisitor)? {
            Loose::Str(s) => Ok(Scalar(s)),
            Loose::Int(i) => Ok(Scalar(i.to_string())),
            Loose::Bool(b) => Ok(Scalar(b.to_string())),
            Loose::Float(f) => Ok(Scalar(f.to_string())),
            Loose::Unit | Loose::List(_) => Err(de::Error::custom(
                "expected a string in the list, found a nested list or nothing",
            )),
        }
    }
}

fn loose<'de, D: Deserializer<'de>>(d: D) -> Result<Loose, D::Error> {
    d.deserialize_any(LooseVisitor)
}

/// Splits `"GET, PUT"` or `"GET PUT"` into items.
fn split_list(s: &str) -> Vec<String> {
    split_on(s, |c| c == ',' || c.is_whitespace())
}

fn split_on(s: &str, separator: impl Fn(char) -> bool) -> Vec<String> {
    s.split(separator).filter(|item| !item.is_empty()).map(str::to_string).collect()
}

pub(super) fn list<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<String>, D::Error> {
    Ok(opt_list(d)?.unwrap_or_default())
}

/// A list of regexes: commas belong to regexes (`{1,3}`), so a string is split on
/// whitespace only, which an origin never contains.
pub(super) fn regex_list<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<String>, D::Error> {
    match loose(d)? {
        Loose::Str(s) => Ok(split_on(&s, char::is_whitespace)),
        other => Ok(list_from(other)?.unwrap_or_default()),
    }
}

pub(super) fn opt_list<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Vec<String>>, D::Error> {
    list_from(loose(d)?)
}

/// An array's elements are kept whole: `["X Bad"]` is one (invalid) name that validation
/// reports, not two names, and a regex element keeps its commas.
fn list_from<E: de::Error>(value: Loose) -> Result<Option<Vec<String>>, E> {
    match value {
        Loose::List(items) => Ok(Some(items)),
        Loose::Str(s) => Ok(Some(split_list(&s))),
        Loose::Int(i) => Ok(Some(vec![i.to_string()])),
        Loose::Unit => Ok(None),
        Loose::Bool(_) | Loose::Float(_) => {
            Err(E::custom("expected a list: a TOML array, `[a, b]` or a comma-separated string"))
        }
    }
}

fn parse_bool(s: &str) -> Option<bool> {
    match s.trim().to_ascii_lowercase().as_str() {
        "true" | "1" | "yes" | "on" => Some(true),
        "false" | "0" | "no" | "off" => Some(false),
        _ => None,
    }
}

const BOOL_EXPECTED: &str = "expected a bool: true/false, 1/0, yes/no or on/off";

pub(super) fn opt_bool<'de, D: Deserializer<'de>>(d: D) -> Result<Option<bool>, D::Error> {
    match loose(d)? {
        Loose::Bool(b) => Ok(Some(b)),
        Loose::Int(0) => Ok(Some(false)),
        Loose::Int(1) => Ok(Some(true)),
        Loose::Str(s) => parse_bool(&s)
            .map(Some)
            .ok_or_else(|| de::Error::custom(format!("{BOOL_EXPECTED}, found {s:?}"))),
        Loose::Unit => Ok(None),
        _ => Err(de::Error::custom(BOOL_EXPECTED)),
    }
}

pub(super) fn flag<'de, D: Deserializer<'de>>(d: D) -> Result<bool, D::Error> {
    Ok(opt_bool(d)?.unwrap_or(false))
}

/// The original middleware's "present with any value = on"; an explicit false turns it off.
pub(super) fn presence<'de, D: Deserializer<'de>>(d: D) -> Result<bool, D::Error> {
    Ok(match loose(d)? {
        Loose::Bool(b) => b,
        Loose::Int(i) => i != 0,
        Loose::Str(s) => parse_bool(&s).unwrap_or(true),
        Loose::Unit | Loose::Float(_) | Loose::List(_) => true,
    })
}

pub(super) fn opt_seconds<'de, D: Deserializer<'de>>(d: D) -> Result<Option<u64>, D::Error> {
    match loose(d)? {
        Loose::Unit => Ok(None),
        Loose::Str(s) if s.trim().is_empty() => Ok(None),
        other => to_u64(other).map(Some),
    }
}

pub(super) fn number<'de, D: Deserializer<'de>>(d: D) -> Result<u64, D::Error> {
    to_u64(loose(d)?)
}

fn to_u64<E: de::Error>(value: Loose) -> Result<u64, E> {
    const EXPECTED: &str = "expected a whole number of zero or more";
    match value {
        Loose::Int(i) => u64::try_from(i).map_err(|_| E::custom(format!("{EXPECTED}, found {i}"))),
        Loose::Str(s) => {
            s.trim().parse().map_err(|_| E::custom(format!("{EXPECTED}, found {s:?}")))
        }
        _ => Err(E::custom(EXPECTED)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn split_list_takes_commas_and_whitespace() {
        assert_eq!(split_list(" GET,PUT  PATCH ,"), ["GET", "PUT", "PATCH"]);
        assert!(split_list("").is_empty());
    }

    #[test]
    fn bool_spellings() {
        for yes in ["true", "1", "yes", "on", "TRUE"] {
            assert_eq!(parse_bool(yes), Some(true), "{yes}");
        }
        for no in ["false", "0", "no", "off", "Off"] {
            assert_eq!(parse_bool(no), Some(false), "{no}");
        }
        assert_eq!(parse_bool("maybe"), None);
    }

    /// An empty value (a `None` given in code) is unset; a table is no value at all, and the
    /// error says what would be.
    #[test]
    fn an_empty_value_is_unset_and_a_table_names_the_forms_expected() {
        use figment::value::{Dict, Empty, Tag, Value};
        for empty in [Empty::None, Empty::Unit] {
            let empty = Value::Empty(Tag::Default, empty);
            assert_eq!(opt_bool(&empty).unwrap(), None);
            assert_eq!(opt_seconds(&empty).unwrap(), None);
        }
        let error = opt_bool(&Value::from(Dict::new())).unwrap_err().to_string();
        let expected = "expected a string, a number, a bool or a list of strings";
        assert!(error.contains(expected), "{error}");
    }
}
