//! Arbitrary bytes as a program: verify, both interpreters, disasm and the
//! cache model never panic; a program verify accepts runs to a return and
//! both interpreters agree on it.
#![no_main]

use libfuzzer_sys::fuzz_target;
use seccomp_bpf::bpf::{self, SockFilter, cache};
use seccomp_bpf::{Abi, ByteOrder, SeccompData};
use seccomp_bpf_fuzz::check_disasm;

fuzz_target!(|input: &[u8]| {
    // Header: byte order of the kernel, then a whole seccomp_data.
    let Some((&flags, rest)) = input.split_first() else {
        return;
    };
    let order = if flags & 1 == 0 {
        ByteOrder::Little
    } else {
        ByteOrder::Big
    };
    let mut head = [0u8; 64];
    let n = rest.len().min(64);
    head[..n].copy_from_slice(&rest[..n]);
    let data = data_from(&head, order);
    assert_eq!(data.to_bytes(order), head);
    let prog: Vec<SockFilter> = rest[n..]
        .chunks_exact(8)
        .map(|c| SockFilter::from_bytes(c.try_into().unwrap(), order))
        .collect();
    for insn in &prog {
        assert_eq!(SockFilter::from_bytes(insn.to_bytes(order), order), *insn);
    }

    let verified = bpf::verify(&prog);
    let free = bpf::run_unverified(&prog, order, &data);
    let checked = bpf::run(&prog, order, &data);
    match verified {
        Ok(v) => {
            assert_eq!(v.len, prog.len());
            let out = checked.unwrap_or_else(|e| panic!("verified program faults: {e}"));
            assert_eq!(free, Ok(out));
            assert!(out.executed >= 1 && out.executed <= prog.len());
            assert_eq!(bpf::verify::charged_len(&prog), v.charged);
        }
        Err(e) => {
            assert_eq!(checked, Err(e));
            let _ = e.to_string();
        }
    }
    if let Err(f) = free {
        let _ = f.to_string();
        let _ = f.to_verify_error(&prog);
    }
    let abi = Abi::ALL[flags as usize % Abi::ALL.len()];
    check_disasm(&prog, if flags & 2 == 0 { None } else { Some(abi) });
    let _ = cache::is_const_allow(&prog, data.arch, data.nr as u32);
});

/// The `seccomp_data` a kernel of byte order `order` lays out as `b`.
fn data_from(b: &[u8; 64], order: ByteOrder) -> SeccompData {
    let u32_at = |o: usize| {
        let w: [u8; 4] = b[o..o + 4].try_into().unwrap();
        match order {
            ByteOrder::Little => u32::from_le_bytes(w),
            ByteOrder::Big => u32::from_be_bytes(w),
        }
    };
    let u64_at = |o: usize| {
        let w: [u8; 8] = b[o..o + 8].try_into().unwrap();
        match order {
            ByteOrder::Little => u64::from_le_bytes(w),
            ByteOrder::Big => u64::from_be_bytes(w),
        }
    };
    let mut d = SeccompData::new(
        u32_at(0) as i32,
        u32_at(4),
        core::array::from_fn(|i| u64_at(16 + 8 * i)),
    );
    d.instruction_pointer = u64_at(8);
    d
}
