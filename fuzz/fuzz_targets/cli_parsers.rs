//! The parsers the CLI and the OCI reader feed user text to: numbers and
//! names. Never a panic; every accepted number prints back to itself;
//! the 32-bit parser agrees with the 64-bit one; plain decimal and hex
//! agree with core's parsers; a name that resolves resolves back.
#![no_main]

use libfuzzer_sys::fuzz_target;
use seccomp_bpf::parse::{ParseNumError, parse_u32, parse_u64};
use seccomp_bpf::{Abi, Group, Syscall};

fuzz_target!(|s: &str| {
    let wide = parse_u64(s);
    let narrow = parse_u32(s);
    if let Ok(v) = wide {
        for text in [
            format!("{v}"),
            format!("{v:#x}"),
            format!("{v:#o}"),
            format!("{v:#b}"),
        ] {
            assert_eq!(parse_u64(&text), Ok(v), "{text}");
        }
    }
    // Without `_` and sign, plain decimal and 0x-hex mean what core says.
    if !s.contains('_') && !s.starts_with(['-', '+']) {
        let core = match s.strip_prefix("0x") {
            Some(hex) if !hex.starts_with(['-', '+']) => u64::from_str_radix(hex, 16).ok(),
            Some(_) => None,
            None if s.bytes().all(|b| b.is_ascii_digit()) => s.parse::<u64>().ok(),
            None => None,
        };
        if core.is_some() {
            assert_eq!(wide.ok(), core, "{s:?}");
        }
    }
    // Separators between digits do not change the value.
    if wide.is_ok() {
        let plain: String = s.chars().filter(|&c| c != '_').collect();
        assert_eq!(parse_u64(&plain), wide, "{s:?}");
    }
    match narrow {
        Ok(v) => {
            let w = wide.expect("parse_u32 accepted what parse_u64 refused");
            if s.starts_with('-') {
                assert_eq!(w, v as i32 as i64 as u64, "{s:?}");
            } else {
                assert_eq!(w, v as u64, "{s:?}");
            }
        }
        Err(ParseNumError::Overflow) => {}
        Err(e) => assert_eq!(wide, Err(e), "{s:?}"),
    }

    if let Some(abi) = Abi::from_name(s) {
        assert_eq!(Abi::from_name(abi.name()), Some(abi));
    }
    if let Some(call) = Syscall::from_name(s) {
        assert_eq!(Syscall::from_name(call.name()), Some(call));
    }
    if let Some(g) = Group::from_name(s) {
        assert_eq!(Group::from_name(g.name()), Some(g));
    }
    // The CLI's `--args a,b,c` and `sim --batch` lines: words through the
    // same parser, never a panic.
    for w in s.split([',', ' ', '\t']).take(8) {
        let _ = parse_u64(w.trim());
    }
});
