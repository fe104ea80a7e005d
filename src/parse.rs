//! Parsers for the numbers users type: decimal, `0x` hex, `0o` octal, `0b`
//! binary, with `_` separators, and negative decimals as two's complement.
//! The CLI and the OCI reader use them; they never panic.
//!
//! ```
//! use seccomp_bpf::parse::{parse_u64, parse_u32};
//! assert_eq!(parse_u64("0x7fff_0000"), Ok(0x7fff_0000));
//! assert_eq!(parse_u64("-1"), Ok(u64::MAX));
//! assert!(parse_u32("4294967296").is_err());
//! ```

use core::fmt;

/// Why a number did not parse.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
#[non_exhaustive]
pub enum ParseNumError {
    /// Nothing to parse.
    Empty,
    /// A character that is not a digit of the number's base.
    InvalidDigit,
    /// The value does not fit the type.
    Overflow,
}

impl fmt::Display for ParseNumError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ParseNumError::Empty => "empty number",
            ParseNumError::InvalidDigit => "invalid digit in number",
            ParseNumError::Overflow => "number too large",
        })
    }
}

impl core::error::Error for ParseNumError {}

/// Parses an unsigned 64-bit number: decimal, `0x`/`0X` hex, `0o` octal or
/// `0b` binary, `_` allowed between digits. A leading `-` takes the two's
/// complement of a decimal or prefixed value that fits in `i64` (`-1` is
/// `u64::MAX`), as C's `(uint64_t)-1` does.
pub const fn parse_u64(s: &str) -> Result<u64, ParseNumError> {
    let b = s.as_bytes();
    let (neg, b) = match b {
        [b'-', rest @ ..] => (true, rest),
        _ => (false, b),
    };
    let (radix, digits) = match b {
        [b'0', b'x' | b'X', rest @ ..] => (16, rest),
        [b'0', b'o' | b'O', rest @ ..] => (8, rest),
        [b'0', b'b' | b'B', rest @ ..] => (2, rest),
        _ => (10, b),
    };
    let mut v: u64 = 0;
    let mut seen = false;
    let mut i = 0;
    while i < digits.len() {
        let c = digits[i];
        i += 1;
        if c == b'_' && seen {
            continue;
        }
        let d = match c {
            b'0'..=b'9' => (c - b'0') as u64,
            b'a'..=b'f' => (c - b'a' + 10) as u64,
            b'A'..=b'F' => (c - b'A' + 10) as u64,
            _ => return Err(ParseNumError::InvalidDigit),
        };
        if d >= radix {
            return Err(ParseNumError::InvalidDigit);
        }
        v = match v.checked_mul(radix) {
            Some(m) => match m.checked_add(d) {
                Some(a) => a,
                None => return Err(ParseNumError::Overflow),
            },
            None => return Err(ParseNumError::Overflow),
        };
        seen = true;
    }
    if !seen {
        return Err(if digits.is_empty() && !neg && radix == 10 {
            ParseNumError::Empty
        } else {
            ParseNumError::InvalidDigit
        });
    }
    if neg {
        if v > i64::MAX as u64 + 1 {
            return Err(ParseNumError::Overflow);
        }
        v = v.wrapping_neg();
    }
    Ok(v)
}

/// Parses a 32-bit number as [`parse_u64`] does; a negative value must fit
/// in `i32` (`-1` is `u32::MAX`).
pub const fn parse_u32(s: &str) -> Result<u32, ParseNumError> {
    let v = match parse_u64(s) {
        Ok(v) => v,
        Err(e) => return Err(e),
    };
    let negative = !s.is_empty() && s.as_bytes()[0] == b'-';
    if negative {
        let signed = v as i64;
        if signed < i32::MIN as i64 {
            return Err(ParseNumError::Overflow);
        }
        Ok(signed as i32 as u32)
    } else if v > u32::MAX as u64 {
        Err(ParseNumError::Overflow)
    } else {
        Ok(v as u32)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bases_and_signs() {
        assert_eq!(parse_u64("0"), Ok(0));
        assert_eq!(parse_u64("18446744073709551615"), Ok(u64::MAX));
        assert_eq!(
            parse_u64("18446744073709551616"),
            Err(ParseNumError::Overflow)
        );
        assert_eq!(parse_u64("0xFFFF_ffff"), Ok(0xffff_ffff));
        assert_eq!(parse_u64("0o17"), Ok(15));
        assert_eq!(parse_u64("0b101"), Ok(5));
        assert_eq!(parse_u64("-2"), Ok(u64::MAX - 1));
        assert_eq!(parse_u64("-9223372036854775808"), Ok(1 << 63));
        assert_eq!(
            parse_u64("-9223372036854775809"),
            Err(ParseNumError::Overflow)
        );
        assert_eq!(parse_u64(""), Err(ParseNumError::Empty));
        assert_eq!(parse_u64("0x"), Err(ParseNumError::InvalidDigit));
        assert_eq!(parse_u64("-"), Err(ParseNumError::InvalidDigit));
        assert_eq!(parse_u64("_1"), Err(ParseNumError::InvalidDigit));
        assert_eq!(parse_u64("12a"), Err(ParseNumError::InvalidDigit));
        assert_eq!(parse_u64("0b2"), Err(ParseNumError::InvalidDigit));
        assert_eq!(parse_u64(" 1"), Err(ParseNumError::InvalidDigit));
        assert_eq!(parse_u32("-1"), Ok(u32::MAX));
        assert_eq!(parse_u32("0xffffffff"), Ok(u32::MAX));
        assert_eq!(parse_u32("-2147483649"), Err(ParseNumError::Overflow));
        assert_eq!(parse_u32("0x1_0000_0000"), Err(ParseNumError::Overflow));
    }
}
