//! The kernel's constant-action cache, as a model.
//!
//! When a filter is attached, the kernel runs it once for every syscall
//! number of the native and compat ABIs with a pretend register that only
//! knows `nr` and `arch` (`seccomp_is_const_allow`). Where that run reaches
//! `RET ALLOW` through nothing but
//!
//! - `LD W ABS` of offset 0 (`nr`) or 4 (`arch`),
//! - `JEQ`, `JGE`, `JGT`, `JSET` with a constant, and `JA`,
//! - `ALU AND` with a constant,
//!
//! the call is marked "always allowed" and later calls skip the filter
//! entirely. Any other instruction on the path (an argument or
//! instruction-pointer load, an X form, scratch memory, other ALU, `LD LEN`)
//! gives up, and so does any other return value. A call is cached only when
//! every filter in the chain allows it so. x32 numbers are never cached, and
//! MIPS has no cache.
//!
//! ```
//! use seccomp_bpf::bpf::{self, cache};
//! use seccomp_bpf::{data, Abi, Action};
//!
//! let prog = [
//!     bpf::ld_abs(data::NR),
//!     bpf::jeq_k(39, 0, 1),
//!     bpf::ret_k(Action::Allow.to_ret()),
//!     bpf::ld_abs(data::arg_lo(0, Abi::X86_64.byte_order())),
//!     bpf::ret_k(Action::Allow.to_ret()),
//! ];
//! assert!(cache::is_const_allow(&prog, Abi::X86_64.audit_arch(), 39));
//! assert!(!cache::is_const_allow(&prog, Abi::X86_64.audit_arch(), 40));
//! ```

use super::SockFilter;
use super::op::*;
use crate::abi::Abi;
use crate::action::RET_ALLOW;
use crate::data;

/// Whether the kernel's cache would mark `(arch, nr)` as always allowed by
/// this program: the run over `nr` and `arch` alone reaches `RET ALLOW`
/// through cache-safe instructions only. Runs off the end or out of range
/// give `false`, as they do in the kernel.
pub const fn is_const_allow(prog: &[SockFilter], arch: u32, nr: u32) -> bool {
    let mut a: u32 = 0;
    let mut pc = 0usize;
    while pc < prog.len() {
        let insn = prog[pc];
        let k = insn.k;
        match insn.code {
            c if c == LD | W | ABS => {
                a = match k {
                    data::NR => nr,
                    data::ARCH => arch,
                    _ => return false,
                }
            }
            c if c == RET | K => return k == RET_ALLOW,
            c if c == JMP | JA => pc = pc.saturating_add(k as usize),
            c if c == JMP | JEQ | K
                || c == JMP | JGE | K
                || c == JMP | JGT | K
                || c == JMP | JSET | K =>
            {
                let taken = match operation(c) {
                    JEQ => a == k,
                    JGE => a >= k,
                    JGT => a > k,
                    _ => a & k != 0,
                };
                pc += if taken { insn.jt } else { insn.jf } as usize;
            }
            c if c == ALU | AND | K => a &= k,
            _ => return false,
        }
        pc += 1;
    }
    false
}

/// Whether the kernel keeps a constant-action cache for calls through this
/// ABI: the native ABI of a kernel that has the cache, or its compat ABI.
/// x32 calls and every MIPS ABI are never cached.
pub const fn abi_is_cached(abi: Abi) -> bool {
    !matches!(
        abi,
        Abi::X32
            | Abi::Mips
            | Abi::Mipsel
            | Abi::Mips64
            | Abi::Mipsel64
            | Abi::Mips64n32
            | Abi::Mipsel64n32
    )
}

/// How many of the ABI's syscalls (per [`crate::syscall::table`]) the
/// kernel's cache serves under this program; 0 on ABIs without a cache.
pub fn cached_count(prog: &[SockFilter], abi: Abi) -> usize {
    if !abi_is_cached(abi) {
        return 0;
    }
    crate::syscall::table(abi)
        .iter()
        .filter(|(nr, _)| is_const_allow(prog, abi.audit_arch(), *nr))
        .count()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bpf;

    const X86_64: u32 = 0xC000_003E;

    #[test]
    fn only_constant_paths_are_cached() {
        let allow = bpf::ret_k(RET_ALLOW);
        // arch check, mask, JSET, JA: all cache-safe.
        let prog = [
            bpf::ld_abs(data::ARCH),
            bpf::jeq_k(X86_64, 1, 0),
            bpf::ret_k(0),
            bpf::ld_abs(data::NR),
            bpf::and_k(0xff),
            bpf::jset_k(0x80, 0, 1),
            bpf::ja(1),
            bpf::ret_k(0x0005_0001),
            allow,
        ];
        assert!(bpf::verify(&prog).is_ok());
        assert!(is_const_allow(&prog, X86_64, 0x80));
        assert!(!is_const_allow(&prog, X86_64, 0x7f), "ERRNO is not cached");
        assert!(
            !is_const_allow(&prog, 0x4000_0003, 0x80),
            "other arch killed"
        );
        // An X-form jump, a scratch store, LD LEN, other ALU: not cache-safe.
        for bad in [
            bpf::jeq_x(0, 0),
            bpf::st(0),
            bpf::ld_len(),
            bpf::or_k(0),
            bpf::ld_abs(data::arg_lo(0, crate::ByteOrder::Little)),
        ] {
            let p = [bpf::ld_abs(data::NR), bad, allow];
            assert!(!is_const_allow(&p, X86_64, 1), "{bad:?}");
        }
        // LOG is not ALLOW.
        assert!(!is_const_allow(&[bpf::ret_k(0x7ffc_0000)], X86_64, 1));
        assert!(is_const_allow(&[allow], X86_64, 1));
        assert!(!is_const_allow(&[], X86_64, 1));
    }

    #[test]
    fn counts_per_abi() {
        let prog = [bpf::ret_k(RET_ALLOW)];
        assert_eq!(
            cached_count(&prog, Abi::X86_64),
            crate::syscall::table(Abi::X86_64).len()
        );
        assert_eq!(cached_count(&prog, Abi::X32), 0);
        assert_eq!(cached_count(&prog, Abi::Mips64), 0);
    }
}
