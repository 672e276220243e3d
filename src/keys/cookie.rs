//! How large Flask's session cookie gets: the session's keys and values
//! encoded as Flask encodes them (section 8 of the contract).
//!
//! Flask's `SecureCookieSessionInterface` writes the session as compact
//! JSON with sorted keys; itsdangerous compresses it with zlib when that
//! is shorter by 2 bytes or more (and then puts a `.` before it), encodes
//! it as base64url without padding, and appends `.` and a 6-character
//! timestamp and `.` and a 27-character HMAC-SHA1 signature. Werkzeug
//! writes `session=<value>; HttpOnly; Path=/` and warns above 4093 bytes.

use std::io::Write;

use flate2::Compression;
use flate2::write::ZlibEncoder;

use crate::analysis::session_keys::write_json_string;

/// Werkzeug's limit on a cookie header (`max_cookie_size`).
pub(crate) const WERKZEUG_LIMIT: usize = 4093;

/// `.` timestamp `.` signature, after the payload.
const SIGNATURE_PART: usize = 1 + 6 + 1 + 27;

/// `session=` before the value and Flask's default attributes after it.
const COOKIE_FRAME: usize = "session=".len() + "; HttpOnly; Path=/".len();

/// What one key holds, for the estimate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Held {
    /// Always this JSON text.
    Exactly(String),
    /// At most this many bytes of JSON.
    AtMost(usize),
    /// No bound is known.
    Unbounded,
}

/// The cookie's size, in bytes of the `Set-Cookie` header's value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum CookieSize {
    /// Every key's value is known: the cookie is this long.
    Exact(usize),
    /// Every key's value is bounded: the cookie is at most this long.
    AtMost(usize),
    /// These keys have no bound, so neither has the cookie.
    Unbounded(Vec<String>),
}

/// The cookie holding every key at once (keys as the code spells them).
/// No key, no cookie: Flask sends none for an empty session.
pub(crate) fn estimate(keys: &[(String, Held)]) -> CookieSize {
    if keys.is_empty() {
        return CookieSize::Exact(0);
    }
    let unbounded: Vec<String> = keys
        .iter()
        .filter(|(_, held)| *held == Held::Unbounded)
        .map(|(key, _)| key.clone())
        .collect();
    if !unbounded.is_empty() {
        return CookieSize::Unbounded(unbounded);
    }
    let mut items: Vec<(&str, &Held)> = keys
        .iter()
        .map(|(key, held)| (key.as_str(), held))
        .collect();
    // Python's `sort_keys` orders by code point, as UTF-8 bytes compare.
    items.sort_by(|a, b| a.0.cmp(b.0));
    let mut json = String::from("{");
    let mut exact = true;
    for (at, (key, held)) in items.iter().enumerate() {
        if at > 0 {
            json.push(',');
        }
        write_json_string(key, &mut json);
        json.push(':');
        match held {
            Held::Exactly(value) => json.push_str(value),
            // A stand-in of the bound's length: compression is used only
            // when it is shorter, so the length without it is a bound
            // whatever the values are.
            Held::AtMost(bound) => {
                exact = false;
                json.extend(std::iter::repeat_n('0', *bound));
            }
            Held::Unbounded => unreachable!("returned above"),
        }
    }
    json.push('}');
    if !exact {
        return CookieSize::AtMost(cookie_length(json.len()));
    }
    let compressed = zlib_length(json.as_bytes());
    let length = match compressed {
        // itsdangerous: `if len(compressed) < (len(json) - 1)`, then a `.`.
        Some(compressed) if compressed < json.len().saturating_sub(1) => {
            1 + cookie_length(compressed)
        }
        _ => cookie_length(json.len()),
    };
    CookieSize::Exact(length)
}

/// The header value's length for a payload of this many bytes.
fn cookie_length(payload: usize) -> usize {
    COOKIE_FRAME + base64_length(payload) + SIGNATURE_PART
}

/// The length of `zlib.compress(data)` (level 6, as Python's default).
fn zlib_length(data: &[u8]) -> Option<usize> {
    let mut encoder = ZlibEncoder::new(Vec::new(), Compression::new(6));
    encoder.write_all(data).ok()?;
    encoder.finish().ok().map(|compressed| compressed.len())
}

/// Base64 without padding.
fn base64_length(bytes: usize) -> usize {
    (bytes * 4).div_ceil(3)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_small_literal_session_is_not_compressed() {
        // {"a":1} is 7 bytes: base64 10, plus 35, plus the 26 of the frame.
        let keys = [("a".to_string(), Held::Exactly("1".to_string()))];
        assert_eq!(estimate(&keys), CookieSize::Exact(26 + 10 + 35));
    }

    #[test]
    fn an_empty_session_sends_no_cookie() {
        assert_eq!(estimate(&[]), CookieSize::Exact(0));
    }

    #[test]
    fn bounds_add_up_without_compression() {
        let keys = [
            ("a".to_string(), Held::AtMost(20)),
            ("b".to_string(), Held::Exactly("true".to_string())),
        ];
        // {"a":<20>,"b":true} is 2 + 4 + 20 + 1 + 4 + 4 = 35 bytes.
        assert_eq!(estimate(&keys), CookieSize::AtMost(26 + 47 + 35));
    }

    #[test]
    fn one_unbounded_key_makes_the_cookie_unbounded() {
        let keys = [
            ("a".to_string(), Held::Unbounded),
            ("b".to_string(), Held::AtMost(5)),
        ];
        assert_eq!(
            estimate(&keys),
            CookieSize::Unbounded(vec!["a".to_string()])
        );
    }
}
