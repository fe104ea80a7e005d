//! The compiler: [`Policy`] in, [`Filter`] out, as a `const fn`.
//!
//! The same code runs at compile time, for a policy in a `const` item, and
//! at run time; nothing else in the crate emits instructions. It uses no
//! heap: the output has a fixed capacity `N` (the type's parameter), and
//! the scratch space is bounded (about 22 KiB of stack besides the filter;
//! an unoptimized build compiles the three-ABI x86 podman policy into a
//! `Filter<400>` on a 48 KiB thread), so it runs on small threads too.
//!
//! # Limits
//!
//! At most [`MAX_RULES_PER_ABI`] rules may apply to one ABI, with at most
//! half as many distinct numbers, and at most 128 rules on one number
//! ([`CompileError::TooManyRules`]). In const context the compiler stays
//! far inside rustc's default evaluation budget: podman's profile over all
//! 26 ABIs (1990 instructions) compiles in a `const` item as is.
//!
//! ```
//! use seccomp_bpf::policy::{Cond, Policy, Rule};
//! use seccomp_bpf::{bpf, compile, Abi, Action, Filter, Syscall};
//!
//! const RULES: [Rule; 3] = [
//!     Rule::new(Syscall::read, Action::Allow),
//!     Rule::new(Syscall::write, Action::Allow),
//!     Rule::when(Syscall::close, &[Cond::gt(0, 2).low32()], Action::Allow),
//! ];
//! const POLICY: Policy = Policy::new(Action::Errno(38), &[Abi::X86_64], &RULES);
//!
//! // At compile time: an error would stop the build.
//! const FILTER: Filter<64> = Filter::new_or_panic(&POLICY);
//! assert!(bpf::verify(&FILTER).is_ok());
//!
//! // At run time: the same function, with a typed error.
//! let filter = compile::<64>(&POLICY).unwrap();
//! assert_eq!(&filter[..], &FILTER[..]);
//! assert!(matches!(
//!     compile::<4>(&POLICY),
//!     Err(seccomp_bpf::CompileError::Capacity { capacity: 4, .. })
//! ));
//! ```
//!
//! # What the filter looks like
//!
//! ```text
//! A = arch
//! if A == <arch 1> goto tree1          one JEQ per arch of the policy
//! if A == <arch 2> goto tree2
//! return <bad-arch action>
//! tree1: A = nr
//!   if A >= k goto ... else ...        a search over ranges of numbers,
//!   if A == k goto ... else ...        weighted by how many calls each
//!   return <action>                    holds; single numbers inside a
//!                                      range are tested with JEQ
//! args:  A = args[i] (low/high word)   only for calls whose decision
//!   ...                                depends on their arguments
//! ```
//!
//! On x86_64's arch, numbers with the x32 bit go to the x32 ranges when x32
//! is one of the ABIs, and to the bad-arch action otherwise (and the other
//! way round for x86_64 numbers when only x32 is listed).
//!
//! A call whose action does not depend on its arguments is reached only
//! through loads of `nr` and `arch`, JEQ/JGE with K, and a RET K, so the
//! kernel's constant-action cache serves it. RETs and identical tails are
//! shared; a jump farther than 255 instructions goes through a copied RET
//! or a JA.

mod cond;
mod emit;
mod error;
mod lower;

pub use error::{CompileError, ErrorText};
pub use lower::MAX_RULES_PER_ABI;

use crate::bpf::SockFilter;
use crate::policy::Policy;

/// The kernel's limit on a filter's length (`BPF_MAXINSNS`).
pub const MAX_LEN: usize = 4096;

/// A compiled filter: up to `N` instructions in a fixed array, no heap.
/// It dereferences to the instructions (`&[SockFilter]`).
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub struct Filter<const N: usize> {
    insns: [SockFilter; N],
    len: usize,
}

impl<const N: usize> Filter<N> {
    /// Compiles `policy` (the same as [`compile()`]).
    ///
    /// # Errors
    ///
    /// As [`compile()`].
    pub const fn new(policy: &Policy<'_>) -> Result<Self, CompileError> {
        compile(policy)
    }

    /// Compiles `policy`, panicking with the error's message if it does
    /// not compile: in a `const` item, an error is a compile error.
    ///
    /// # Panics
    ///
    /// When [`compile()`] fails.
    pub const fn new_or_panic(policy: &Policy<'_>) -> Self {
        match compile(policy) {
            Ok(f) => f,
            Err(e) => {
                let text = e.text();
                panic!("{}", text.as_str())
            }
        }
    }

    /// The instructions.
    pub const fn as_slice(&self) -> &[SockFilter] {
        let n = if self.len <= N { self.len } else { N };
        self.insns.split_at(n).0
    }

    /// Number of instructions.
    pub const fn len(&self) -> usize {
        self.len
    }

    /// Whether the filter has no instruction (never, for a compiled one).
    pub const fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The capacity `N`.
    pub const fn capacity(&self) -> usize {
        N
    }

    /// The same filter with another capacity: in const context, compile
    /// with a large capacity and keep only what is used,
    /// `const F: Filter<{ BIG.len() }> = BIG.resize_or_panic();`.
    ///
    /// # Errors
    ///
    /// [`CompileError::Capacity`] when `M` is below the length.
    pub const fn resize<const M: usize>(&self) -> Result<Filter<M>, CompileError> {
        if self.len > M {
            return Err(CompileError::Capacity {
                capacity: M,
                needed: self.len,
            });
        }
        let mut insns = [SockFilter::stmt(0, 0); M];
        let mut i = 0;
        while i < self.len && i < N {
            insns[i] = self.insns[i];
            i += 1;
        }
        Ok(Filter {
            insns,
            len: self.len,
        })
    }

    /// [`Filter::resize`], panicking (a compile error in const context)
    /// when `M` is too small.
    ///
    /// # Panics
    ///
    /// When `M` is below the length.
    pub const fn resize_or_panic<const M: usize>(&self) -> Filter<M> {
        match self.resize() {
            Ok(f) => f,
            Err(e) => {
                let text = e.text();
                panic!("{}", text.as_str())
            }
        }
    }
}

impl<const N: usize> core::ops::Deref for Filter<N> {
    type Target = [SockFilter];
    fn deref(&self) -> &[SockFilter] {
        self.as_slice()
    }
}

impl<const N: usize> AsRef<[SockFilter]> for Filter<N> {
    fn as_ref(&self) -> &[SockFilter] {
        self.as_slice()
    }
}

/// Compiles `policy` into a filter of capacity `N`.
///
/// `N` must hold the program as the generator first lays it out, which can
/// be a few instructions longer than the result: RETs that every jump
/// ended up reaching through a nearer copy are removed at the end.
/// [`CompileError::Capacity`] says how much is needed; to keep a `const`
/// filter at its exact length, compile with room to spare and
/// [`Filter::resize_or_panic`] to `{ F.len() }`.
///
/// A `const fn`: in a `const` item it runs at compile time (see
/// [`Filter::new_or_panic`] to turn an error into a compile error), and at
/// run time it needs no heap and about 22 KiB of stack plus the filter.
///
/// # Errors
///
/// Any policy problem ([`Policy::check`]), [`CompileError::Capacity`] when
/// the filter needs more than `N` instructions, [`CompileError::TooLong`]
/// when it needs more than 4096, [`CompileError::TooManyRules`] when the
/// scratch space is too small for the rules on one ABI.
pub const fn compile<const N: usize>(policy: &Policy<'_>) -> Result<Filter<N>, CompileError> {
    lower::build(policy)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bpf::{self, op::*};
    use crate::policy::{Cond, Rule};
    use crate::{Abi, Action, SeccompData, Syscall};

    const RULES: [Rule; 5] = [
        Rule::new(Syscall::read, Action::Allow),
        Rule::new(Syscall::write, Action::Allow),
        Rule::new(Syscall::getpid, Action::Errno(1)),
        Rule::when(Syscall::close, &[Cond::gt(0, 2)], Action::Allow),
        Rule::new(Syscall::openat, Action::Errno(1)),
    ];
    const POLICY: Policy = Policy::new(Action::Errno(38), &[Abi::X86_64, Abi::Aarch64], &RULES);

    fn run(f: &[SockFilter], abi: Abi, nr: u32, args: [u64; 6]) -> (Action, usize) {
        let d = SeccompData::new(nr as i32, abi.audit_arch(), args);
        let out = bpf::run(f, abi.byte_order(), &d).unwrap();
        (Action::from_ret(out.ret), out.executed)
    }

    #[test]
    fn rets_are_shared() {
        let f = compile::<128>(&POLICY).unwrap();
        let rets = f.iter().filter(|i| i.code == RET | K).count();
        // ALLOW, ERRNO(1), ERRNO(38), KILL_PROCESS: each once.
        assert_eq!(rets, 4, "{}", bpf::Disasm::new(&f));
        assert_eq!(f[0], bpf::ld_abs(crate::data::ARCH));
    }

    #[test]
    fn constant_calls_never_load_arguments() {
        let f = compile::<128>(&POLICY).unwrap();
        for abi in [Abi::X86_64, Abi::Aarch64] {
            for call in [
                Syscall::read,
                Syscall::write,
                Syscall::getpid,
                Syscall::openat,
            ] {
                let nr = call.nr(abi).unwrap();
                let d = SeccompData::new(nr as i32, abi.audit_arch(), [7; 6]);
                bpf::run_traced(&f, abi.byte_order(), &d, &mut |s| {
                    let c = s.insn.code;
                    let ok = (c == LD | W | ABS && s.insn.k < 8)
                        || c == RET | K
                        || (class(c) == JMP && source(c) == K);
                    assert!(ok, "{abi} {call}: {:?}", s.insn);
                })
                .unwrap();
            }
        }
    }

    #[test]
    fn x32_numbers_need_x32() {
        let f = compile::<128>(&POLICY).unwrap();
        assert_eq!(
            run(&f, Abi::X86_64, 0x4000_0000, [0; 6]).0,
            Action::KillProcess
        );
        assert_eq!(
            run(&f, Abi::X86_64, u32::MAX, [0; 6]).0,
            Action::KillProcess
        );
        assert_eq!(
            run(&f, Abi::X86_64, 0x3fff_ffff, [0; 6]).0,
            Action::Errno(38)
        );
        let abis = [Abi::X86_64, Abi::X32];
        let p = POLICY.with_abis(&abis);
        let f = compile::<128>(&p).unwrap();
        assert_eq!(run(&f, Abi::X32, 0x4000_0000, [0; 6]).0, Action::Allow);
        assert_eq!(
            run(&f, Abi::X32, 0x4000_0000 | 39, [0; 6]).0,
            Action::Errno(1)
        );
    }

    #[test]
    fn arguments_in_both_byte_orders() {
        for abis in [&[Abi::X86_64][..], &[Abi::S390x][..], &[Abi::Mips64][..]] {
            let p = POLICY.with_abis(abis);
            let f = compile::<128>(&p).unwrap();
            let abi = abis[0];
            let close = Syscall::close.nr(abi).unwrap();
            for (arg, want) in [
                (3, Action::Allow),
                (2, Action::Errno(38)),
                (0x1_0000_0000, Action::Allow),
                (0x1_0000_0001, Action::Allow),
                (0, Action::Errno(38)),
            ] {
                assert_eq!(
                    run(&f, abi, close, [arg, 0, 0, 0, 0, 0]).0,
                    want,
                    "{abi} {arg:#x}"
                );
            }
        }
    }

    #[test]
    fn the_const_path_and_the_runtime_path_agree() {
        const F: Filter<128> = Filter::new_or_panic(&POLICY);
        const EXACT: Filter<{ F.len() }> = F.resize_or_panic();
        let r = compile::<128>(&POLICY).unwrap();
        assert_eq!(&r[..], &F[..]);
        assert_eq!(&EXACT[..], &F[..]);
        assert_eq!(EXACT.capacity(), EXACT.len());
    }

    #[test]
    fn errors_name_their_numbers() {
        let e = CompileError::Capacity {
            capacity: 4,
            needed: 31,
        };
        assert_eq!(
            std::format!("{e}"),
            "the filter's capacity is too small: capacity 4, needs 31"
        );
        let e = CompileError::MissingSyscall {
            rule: 3,
            abi: Abi::Arm,
        };
        assert_eq!(
            std::format!("{e}"),
            "a rule's system call is missing on one of the ABIs (rule 3), ABI arm"
        );
        assert_eq!(CompileError::NoAbi.message(), "the policy has no ABI");
    }
}
